// Text forms of Raft values for interaction-test transcripts: short, stable, one line each.
import { decodeConfChange } from '../conf.ts';
import type { ConfState, Entry, RaftMessage, ReadState } from '../messages.ts';
import type { Ready } from '../rawnode.ts';

const decoder = new TextDecoder();

export function text(data: Uint8Array): string {
  return JSON.stringify(decoder.decode(data));
}

export function formatEntry(entry: Entry): string {
  if (entry.type === 'confChange') {
    const change = decodeConfChange(entry.data);
    return `${entry.term}/${entry.index} conf:${change.type} ${change.member}`;
  }
  return `${entry.term}/${entry.index} ${text(entry.data)}`;
}

export function formatConf(conf: ConfState): string {
  return `voters=(${conf.voters.join(',')}) learners=(${conf.learners.join(',')})`;
}

export function formatMessage(m: RaftMessage): string {
  const head = `${m.from}->${m.to} ${m.type} term=${m.term}`;
  switch (m.type) {
    case 'MsgApp': {
      const entries = m.entries.length > 0 ? ` entries=[${m.entries.map(formatEntry).join(', ')}]` : '';
      return `${head} log=${m.logTerm}/${m.index} commit=${m.commit}${entries}`;
    }
    case 'MsgAppResp':
      return m.reject
        ? `${head} rejected index=${m.index} hint=${m.logTerm}/${m.rejectHint}`
        : `${head} index=${m.index}`;
    case 'MsgVote':
    case 'MsgPreVote':
      return `${head} log=${m.logTerm}/${m.index}${m.transfer ? ' transfer' : ''}`;
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
      return m.reject ? `${head} rejected` : head;
    case 'MsgHeartbeat':
      return `${head} commit=${m.commit}${m.context !== undefined ? ` ctx=${text(m.context)}` : ''}`;
    case 'MsgHeartbeatResp':
      return `${head}${m.context !== undefined ? ` ctx=${text(m.context)}` : ''}`;
    case 'MsgSnap':
      return `${head} snapshot=${m.snapshot.meta.term}/${m.snapshot.meta.index} ${formatConf(m.snapshot.meta.conf)}`;
    case 'MsgTimeoutNow':
      return head;
    case 'MsgReadIndex':
      return `${head} ctx=${text(m.context)}`;
    case 'MsgReadIndexResp':
      return `${head} index=${m.index} ctx=${text(m.context)}`;
  }
}

export function formatReadState(r: ReadState): string {
  return `index=${r.index} ctx=${text(r.context)}`;
}

export function formatReady(rd: Ready): string[] {
  const lines: string[] = [`Ready${rd.mustSync ? ' (must sync)' : ''}:`];
  if (rd.softState !== undefined) lines.push(`lead=${rd.softState.lead || '-'} role=${rd.softState.role}`);
  if (rd.hardState !== undefined) {
    const hs = rd.hardState;
    lines.push(`HardState term=${hs.term} vote=${hs.vote || '-'} commit=${hs.commit}`);
  }
  if (rd.snapshot !== undefined) {
    const meta = rd.snapshot.meta;
    lines.push(`Snapshot ${meta.term}/${meta.index} ${formatConf(meta.conf)}`);
  }
  const section = (title: string, items: readonly string[]) => {
    if (items.length === 0) return;
    lines.push(`${title}:`);
    for (const item of items) lines.push(`  ${item}`);
  };
  section('Entries', rd.entries.map(formatEntry));
  section('CommittedEntries', rd.committedEntries.map(formatEntry));
  section('Messages', rd.messages.map(formatMessage));
  section('ReadStates', rd.readStates.map(formatReadState));
  return lines;
}
