// AdminService through the sidecar, so the CLI and tools work against localhost:7070 as they do
// against a broker: each call is forwarded unchanged to a broker the router knows, with the
// caller's deadline, and the broker's status comes back as it was.
import * as grpc from '@grpc/grpc-js';
import { adminProto } from '../client/proto.ts';
import type { Router } from './router.ts';

/** Route key for admin calls: no destination of its own, so the router's preferred member. */
const ADMIN_ROUTE = '';

type UnaryForward = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: unknown) => void,
) => void;

export function adminForwarders(router: Router): grpc.UntypedServiceImplementation {
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(adminProto.wharf.v1.AdminService.service)) {
    if (method.requestStream || method.responseStream) continue;
    const forward: grpc.handleUnaryCall<unknown, unknown> = (call, callback) => {
      const upstream = router.route(ADMIN_ROUTE);
      // The generated client's methods are looked up by RPC name: the table is the service definition.
      const client = upstream.admin as unknown as Record<string, UnaryForward>;
      const deadline = call.getDeadline();
      const options: grpc.CallOptions = deadline === Number.POSITIVE_INFINITY ? {} : { deadline };
      client[name]?.call(upstream.admin, call.request, new grpc.Metadata(), options, (error, response) => {
        if (error) {
          if (error.code === grpc.status.UNAVAILABLE) void router.refresh();
          callback(error);
        } else callback(null, response);
      });
    };
    handlers[name] = forward;
  }
  return handlers;
}
