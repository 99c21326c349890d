// Events for what a person should know (`kubectl describe`), as events.k8s.io/v1 Events with a
// MicroTime eventTime. The same reason and note for one object is not repeated within
// repeatAfterMs, so a reconcile loop does not flood the namespace. Failures to record are logged,
// never thrown: an event is not worth failing a reconcile for.
import type { Logger } from '../../common/logger.ts';
import type { KubeClient } from '../runtime/kube-client.ts';
import { microTime } from '../runtime/micro-time.ts';
import { resourcePath } from '../runtime/resource-paths.ts';
import type { Timers } from '../runtime/timers.ts';

export interface EventTarget {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name?: string; readonly namespace?: string; readonly uid?: string };
}

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  record(target: EventTarget, type: EventType, reason: string, note: string, action?: string): Promise<void>;
}

export const REPORTING_CONTROLLER = 'wharf.dev/operator';
const REMEMBERED_MAX = 10_000;

export function createEventRecorder(
  kube: KubeClient,
  timers: Timers,
  logger: Logger,
  instance: string,
  repeatAfterMs = 10 * 60_000,
): EventRecorder {
  const lastSent = new Map<string, number>();
  let sequence = 0;
  return {
    async record(target, type, reason, note, action = reason) {
      const namespace = target.metadata.namespace ?? 'default';
      const dedupKey = `${target.metadata.uid}|${type}|${reason}|${note}`;
      const nowMs = timers.nowMs();
      const previous = lastSent.get(dedupKey);
      if (previous !== undefined && nowMs - previous < repeatAfterMs) return;
      lastSent.delete(dedupKey);
      if (lastSent.size >= REMEMBERED_MAX) {
        const oldest = lastSent.keys().next();
        if (oldest.done !== true) lastSent.delete(oldest.value);
      }
      lastSent.set(dedupKey, nowMs);
      const event = {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        // As client-go names them: the object's name and a hex time (events.k8s.io rejects a
        // generateName ending in '.'); the counter keeps two events of one millisecond apart.
        metadata: {
          name: `${target.metadata.name ?? 'wharf'}.${timers.wallMs().toString(16)}${(sequence++ % 0x10000).toString(16).padStart(4, '0')}`,
          namespace,
        },
        eventTime: microTime(timers.wallMs()),
        reportingController: REPORTING_CONTROLLER,
        reportingInstance: instance,
        action,
        reason,
        note: note.slice(0, 1000),
        type,
        regarding: {
          apiVersion: target.apiVersion,
          kind: target.kind,
          name: target.metadata.name,
          namespace,
          uid: target.metadata.uid,
        },
      };
      try {
        await kube.create(resourcePath('Event', namespace), event);
      } catch (error) {
        logger.warn({ err: error, reason }, 'could not record an event');
      }
    },
  };
}
