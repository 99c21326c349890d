// The broker's gRPC server: BrokerService and AdminService on one port, plus grpc.health.v1.Health
// and server reflection so grpcurl and Kubernetes gRPC probes work.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { adminProto, brokerProto, PROTO_LOADER_OPTIONS } from '../../client/proto.ts';
import { adminService } from './admin-service.ts';
import { brokerService } from './broker-service.ts';
import type { ApiContext } from './handlers.ts';

/** Largest request accepted: a batch of maximal messages must fit. */
export const MESSAGE_BYTES_MAX = 64 * 1024 * 1024;

export interface ApiServer {
  readonly server: grpc.Server;
  readonly health: HealthImplementation;
  readonly port: number;
}

export async function startApiServer(ctx: ApiContext, host: string, port: number): Promise<ApiServer> {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': MESSAGE_BYTES_MAX,
    'grpc.max_send_message_length': MESSAGE_BYTES_MAX,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  });
  server.addService(brokerProto.wharf.v1.BrokerService.service, brokerService(ctx));
  server.addService(adminProto.wharf.v1.AdminService.service, adminService(ctx));
  const health = new HealthImplementation({
    '': 'SERVING',
    'wharf.v1.BrokerService': 'SERVING',
    'wharf.v1.AdminService': 'SERVING',
  });
  health.addToServer(server);
  // Reflection needs one definition holding every file (a merge of two loses services).
  const all = protoLoader.loadSync(['wharf/v1/broker.proto', 'wharf/v1/admin.proto'], PROTO_LOADER_OPTIONS);
  new ReflectionService(all).addToServer(server);
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, actual) =>
      error ? reject(error) : resolve(actual),
    );
  });
  return { server, health, port: bound };
}

/** Stops taking new calls, lets running ones finish for up to graceMs, then cancels the rest. */
export async function stopApiServer(api: ApiServer, graceMs: number): Promise<void> {
  api.health.setStatus('', 'NOT_SERVING');
  await new Promise<void>((resolve) => {
    const force = setTimeout(() => {
      api.server.forceShutdown();
      resolve();
    }, graceMs);
    api.server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}
