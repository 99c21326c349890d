// Membership and its changes, one server at a time through learners (thesis §4.1-§4.2): a new
// member joins as a learner (receives the log, never votes), is promoted once caught up, and any
// two consecutive configurations share a majority, so no two leaders can be elected in one term.
import { assert, unreachable } from '../../common/assert.ts';
import type { ConfState, MemberId } from './messages.ts';

/**
 * `context` is opaque to Raft and replicated with the change: the broker puts the new member's
 * addresses there, so every replica learns where to reach it from the log itself.
 */
export type ConfChange =
  | { readonly type: 'addLearner'; readonly member: MemberId; readonly context?: string }
  | { readonly type: 'promote'; readonly member: MemberId }
  | { readonly type: 'remove'; readonly member: MemberId };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Conf-change entries are tiny and rare: a readable text form costs nothing and eases debugging. */
export function encodeConfChange(change: ConfChange): Uint8Array {
  const context = change.type === 'addLearner' && change.context !== undefined ? ` ${change.context}` : '';
  assert(!/\s/.test(change.member), `member id "${change.member}" has whitespace`);
  return encoder.encode(`${change.type} ${change.member}${context}`);
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  const text = decoder.decode(data);
  const [type, member, ...rest] = text.split(' ');
  assert(member !== undefined && member.length > 0, `conf change without member "${text}"`);
  if (type === 'addLearner') return rest.length === 0 ? { type, member } : { type, member, context: rest.join(' ') };
  if ((type === 'promote' || type === 'remove') && rest.length === 0) return { type, member };
  throw new Error(`malformed conf change "${text}"`);
}

/** Why a change cannot apply to a configuration, or undefined when it can. */
export function confChangeProblem(conf: ConfState, change: ConfChange): string | undefined {
  const isVoter = conf.voters.includes(change.member);
  const isLearner = conf.learners.includes(change.member);
  switch (change.type) {
    case 'addLearner':
      return isVoter || isLearner ? `${change.member} is already a member` : undefined;
    case 'promote':
      return isLearner ? undefined : `${change.member} is not a learner`;
    case 'remove':
      if (!isVoter && !isLearner) return `${change.member} is not a member`;
      return isVoter && conf.voters.length === 1 ? 'cannot remove the last voter' : undefined;
    default:
      return unreachable(change);
  }
}

/** The configuration after a change; a change that does not apply leaves it as it was. */
export function applyConfChange(conf: ConfState, change: ConfChange): ConfState {
  if (confChangeProblem(conf, change) !== undefined) return conf;
  const without = (list: readonly MemberId[]) => list.filter((m) => m !== change.member);
  switch (change.type) {
    case 'addLearner':
      return { voters: conf.voters, learners: [...conf.learners, change.member].sort() };
    case 'promote':
      return { voters: [...conf.voters, change.member].sort(), learners: without(conf.learners) };
    case 'remove':
      return { voters: without(conf.voters), learners: without(conf.learners) };
    default:
      return unreachable(change);
  }
}

export function makeConf(voters: readonly MemberId[], learners: readonly MemberId[] = []): ConfState {
  const v = [...new Set(voters)].sort();
  const l = [...new Set(learners)].sort();
  assert(
    l.every((m) => !v.includes(m)),
    'voters and learners are disjoint',
  );
  return { voters: v, learners: l };
}

export function members(conf: ConfState): readonly MemberId[] {
  return [...conf.voters, ...conf.learners].sort();
}

export function quorum(conf: ConfState): number {
  return Math.floor(conf.voters.length / 2) + 1;
}

/** The largest index that a majority of voters has reached (§5.3, §5.4.2 checks the term apart). */
export function committedIndex(conf: ConfState, matchOf: (member: MemberId) => number): number {
  if (conf.voters.length === 0) return 0;
  const matches = conf.voters.map(matchOf).sort((a, b) => b - a);
  const value = matches[quorum(conf) - 1];
  assert(value !== undefined, 'quorum within voters');
  return value;
}

export type VoteResult = 'won' | 'lost' | 'pending';

export function voteResult(conf: ConfState, votes: ReadonlyMap<MemberId, boolean>): VoteResult {
  let granted = 0;
  let rejected = 0;
  for (const voter of conf.voters) {
    const vote = votes.get(voter);
    if (vote === true) granted++;
    else if (vote === false) rejected++;
  }
  const q = quorum(conf);
  if (granted >= q) return 'won';
  if (rejected > conf.voters.length - q) return 'lost';
  return 'pending';
}
