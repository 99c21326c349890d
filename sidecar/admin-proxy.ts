// AdminService through the sidecar, so the CLI and tools work against localhost:7070 as they do
// against a broker: each call is forwarded unchanged to a broker the router knows, with the
// caller's deadline, and the broker's status comes back as it was. Calls that may be repeated
// (reads, declarative applies, an idempotent AddMember) are sent again on UNAVAILABLE, to the
// leader the refusal names or the next member, inside the caller's deadline: while a cluster
// elects a leader, `wharf apply` through the sidecar waits instead of failing. The others
// (deletes, redrive, membership removals, transfers) go once, as a retry could repeat them.
import * as grpc from '@grpc/grpc-js';
import { adminProto } from '../client/proto.ts';
import type { Random } from '../common/random.ts';
import { backoffDelayMs } from './retry.ts';
import type { Router } from './router.ts';

/** Route key for admin calls: no destination of its own, so the router's preferred member. */
const ADMIN_ROUTE = '';
/** Attempts of one repeatable call (each after a backoff of at most a second), inside its deadline. */
const ATTEMPTS_MAX = 32;
/** Deadline of a call that came without one. */
const DEFAULT_DEADLINE_MS = 30_000;

/** Methods whose repetition changes nothing the first call did not. */
export const REPEATABLE_ADMIN_METHODS: ReadonlySet<string> = new Set([
  'ApplyQueue',
  'GetQueue',
  'ListQueues',
  'ApplyTopic',
  'GetTopic',
  'ListTopics',
  'GetClusterStatus',
  'AddMember',
]);

type UnaryForward = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: unknown) => void,
) => void;

export function adminForwarders(router: Router, random: Random): grpc.UntypedServiceImplementation {
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(adminProto.wharf.v1.AdminService.service)) {
    if (method.requestStream || method.responseStream) continue;
    const repeatable = REPEATABLE_ADMIN_METHODS.has(name);
    const forward: grpc.handleUnaryCall<unknown, unknown> = (call, callback) => {
      const given = call.getDeadline();
      const givenMs = given instanceof Date ? given.getTime() : given;
      const deadlineMs = Number.isFinite(givenMs) ? givenMs : Date.now() + DEFAULT_DEADLINE_MS;
      let cancelled = false;
      call.once('cancelled', () => {
        cancelled = true;
      });
      const attempt = (n: number): void => {
        const upstream = router.route(ADMIN_ROUTE);
        // The generated client's methods are looked up by RPC name: the table is the service definition.
        const client = upstream.admin as unknown as Record<string, UnaryForward>;
        const options: grpc.CallOptions = { deadline: deadlineMs };
        client[name]?.call(upstream.admin, call.request, new grpc.Metadata(), options, (error, response) => {
          if (!error) {
            callback(null, response);
            return;
          }
          if (error.code !== grpc.status.UNAVAILABLE) {
            callback(error);
            return;
          }
          router.failed(ADMIN_ROUTE, upstream.address, error);
          const waitMs = backoffDelayMs(n, random.next());
          if (!repeatable || cancelled || n + 1 >= ATTEMPTS_MAX || Date.now() + waitMs >= deadlineMs) {
            callback(error);
            return;
          }
          setTimeout(() => attempt(n + 1), waitMs);
        });
      };
      attempt(0);
    };
    handlers[name] = forward;
  }
  return handlers;
}
