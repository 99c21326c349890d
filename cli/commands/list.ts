// wharf queues / wharf topics: tables of the destinations with their status (-o json|yaml for
// the resource objects, as `kubectl get -o yaml` would show them).
import { stringify } from 'yaml';
import { queueToResource, topicToResource } from '../../client/resources.ts';
import { type DurationLike, protoDurationMs } from '../../common/duration.ts';
import { splitDestination } from '../../common/names.ts';
import type { Queue__Output } from '../../proto/gen/wharf/v1/Queue.ts';
import type { Topic__Output } from '../../proto/gen/wharf/v1/Topic.ts';
import { ageOf, formatAgeMs } from '../format.ts';
import { type Io, printJson, UsageError } from '../io.ts';
import { formatTable } from '../table.ts';
import { type CommonOptions, withClient } from './common.ts';

export interface ListOptions extends CommonOptions {
  readonly namespace?: string;
  readonly output?: string;
}

type Output = 'table' | 'json' | 'yaml';

function outputOf(options: ListOptions): Output {
  const output = options.output ?? (options.json ? 'json' : 'table');
  if (output !== 'table' && output !== 'json' && output !== 'yaml') {
    throw new UsageError(`-o: "${output}" is not table, json or yaml`);
  }
  return output;
}

/** "default/orders" → "orders" when listing one namespace. */
function shown(name: string, namespace: string | undefined): string {
  return namespace ? splitDestination(name).name : name;
}

/** Age of the oldest message, rounded as ages are ("12s", "3m20s"), or "-". */
function oldestCell(value: DurationLike | null | undefined): string {
  const ms = protoDurationMs(value, 'oldest_message_age');
  return ms === undefined || ms === 0 ? '-' : formatAgeMs(ms);
}

function deadLetterCell(dlq: string, owner: string, deadLettered: number): string {
  if (dlq === '') return deadLettered > 0 ? `(${deadLettered} dropped)` : '-';
  const { namespace } = splitDestination(owner);
  const local = dlq.startsWith(`${namespace}/`) ? dlq.slice(namespace.length + 1) : dlq;
  return deadLettered > 0 ? `${local} (${deadLettered})` : local;
}

export function queuesTable(queues: readonly Queue__Output[], namespace: string | undefined, nowMs: number): string {
  if (queues.length === 0) return namespace ? `no queues in namespace ${namespace}\n` : 'no queues\n';
  const rows = queues.map((q) => [
    shown(q.name, namespace),
    q.status?.ready ? 'True' : 'False',
    String(q.status?.depth ?? 0),
    String(q.status?.inFlight ?? 0),
    String(q.status?.consumers ?? 0),
    oldestCell(q.status?.oldestMessageAge),
    deadLetterCell(q.spec?.deadLetterQueue ?? '', q.name, q.status?.deadLettered ?? 0),
    ageOf(q.createTime, nowMs),
  ]);
  return formatTable(['NAME', 'READY', 'DEPTH', 'IN-FLIGHT', 'CONSUMERS', 'OLDEST', 'DLQ', 'AGE'], rows);
}

export function topicsTable(topics: readonly Topic__Output[], namespace: string | undefined, nowMs: number): string {
  if (topics.length === 0) return namespace ? `no topics in namespace ${namespace}\n` : 'no topics\n';
  const rows: string[][] = [];
  for (const topic of topics) {
    const name = shown(topic.name, namespace);
    const ready = topic.status?.ready ? 'True' : 'False';
    const age = ageOf(topic.createTime, nowMs);
    const specs = new Map((topic.spec?.subscriptions ?? []).map((s) => [s.name, s]));
    const statuses = topic.status?.subscriptions ?? [];
    if (statuses.length === 0) {
      const names = [...specs.keys()];
      if (names.length === 0) rows.push([name, ready, '-', '-', '-', '-', '-', '-', age]);
      for (const sub of names) rows.push([name, ready, sub, '0', '0', '0', '-', '-', age]);
      continue;
    }
    for (const sub of statuses) {
      const spec = specs.get(sub.name);
      rows.push([
        name,
        ready,
        sub.ephemeral ? `${sub.name} (ephemeral)` : sub.name,
        String(sub.depth),
        String(sub.inFlight),
        String(sub.consumers),
        oldestCell(sub.oldestMessageAge),
        deadLetterCell(spec?.deadLetterQueue ?? '', topic.name, sub.deadLettered),
        age,
      ]);
    }
  }
  return formatTable(
    ['NAME', 'READY', 'SUBSCRIPTION', 'DEPTH', 'IN-FLIGHT', 'CONSUMERS', 'OLDEST', 'DLQ', 'AGE'],
    rows,
  );
}

function printResources(io: Io, output: 'json' | 'yaml', objects: readonly object[]): void {
  if (output === 'json') printJson(io, objects);
  else io.out(objects.map((o) => stringify(o)).join('---\n'));
}

export async function queuesCommand(options: ListOptions, io: Io): Promise<void> {
  const output = outputOf(options);
  const queues = await withClient(options, (client) => client.listQueues(options.namespace ?? ''));
  if (output === 'table') io.out(queuesTable(queues, options.namespace, Date.now()));
  else printResources(io, output, queues.map(queueToResource));
}

export async function topicsCommand(options: ListOptions, io: Io): Promise<void> {
  const output = outputOf(options);
  const topics = await withClient(options, (client) => client.listTopics(options.namespace ?? ''));
  if (output === 'table') io.out(topicsTable(topics, options.namespace, Date.now()));
  else printResources(io, output, topics.map(topicToResource));
}
