// A Queue's or Topic's figures as the broker reports them (GetQueue/GetTopic, ApplyQueue/ApplyTopic
// answers), in the plain shapes operator/status takes, and how a failed Admin call is classified.
import * as grpc from '@grpc/grpc-js';
import type { WharfClient } from '../../client/client.ts';
import { isServiceError } from '../../client/unary.ts';
import type { Queue__Output } from '../../proto/gen/wharf/v1/Queue.ts';
import type { Topic__Output } from '../../proto/gen/wharf/v1/Topic.ts';
import type { QueueFigures, TopicFigures } from '../status/destination-status.ts';

export type DestinationKind = 'Queue' | 'Topic';

const durationMs = (d: { seconds?: number | string; nanos?: number } | null | undefined): number =>
  d === null || d === undefined ? 0 : Number(d.seconds ?? 0) * 1000 + Math.floor((d.nanos ?? 0) / 1e6);

export function queueFigures(queue: Queue__Output): QueueFigures {
  const s = queue.status;
  return {
    leader: s?.leader ?? '',
    depth: s?.depth ?? 0,
    inFlight: s?.inFlight ?? 0,
    consumers: s?.consumers ?? 0,
    oldestMessageAgeMs: durationMs(s?.oldestMessageAge),
    deadLettered: s?.deadLettered ?? 0,
    bytes: s?.bytes ?? 0,
  };
}

/** Declared subscriptions only: ephemeral ones come and go with their consumers. */
export function topicFigures(topic: Topic__Output): TopicFigures {
  const s = topic.status;
  return {
    leader: s?.leader ?? '',
    messages: s?.messages ?? 0,
    bytes: s?.bytes ?? 0,
    subscriptions: (s?.subscriptions ?? [])
      .filter((sub) => !sub.ephemeral)
      .map((sub) => ({
        name: sub.name,
        depth: sub.depth,
        inFlight: sub.inFlight,
        consumers: sub.consumers,
        oldestMessageAgeMs: durationMs(sub.oldestMessageAge),
        deadLettered: sub.deadLettered,
      })),
  };
}

export const codeOf = (error: unknown): number | undefined => (isServiceError(error) ? error.code : undefined);

/** The cluster did not answer (as opposed to answering no). */
export const unreachable = (error: unknown): boolean =>
  codeOf(error) === grpc.status.UNAVAILABLE || codeOf(error) === grpc.status.DEADLINE_EXCEEDED;

/** Reads `name` ("<namespace>/<name>") from the broker; undefined when the broker has none. */
export async function fetchFigures(
  client: WharfClient,
  kind: DestinationKind,
  name: string,
): Promise<QueueFigures | TopicFigures | undefined> {
  try {
    return kind === 'Queue' ? queueFigures(await client.getQueue(name)) : topicFigures(await client.getTopic(name));
  } catch (error) {
    if (codeOf(error) === grpc.status.NOT_FOUND) return undefined;
    throw error;
  }
}
