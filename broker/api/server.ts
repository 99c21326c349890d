// The broker's gRPC server: BrokerService and AdminService on one port, plus grpc.health.v1.Health
// and server reflection so grpcurl and Kubernetes gRPC probes work. With TLS files the port serves
// TLS (clients verify the broker; they present no certificate), and since the kubelet's gRPC probe
// speaks no TLS, an optional health port serves grpc.health.v1.Health alone in plaintext, with the
// same statuses.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { adminProto, brokerProto, PROTO_LOADER_OPTIONS } from '../../client/proto.ts';
import { serverCredentials, type TlsFiles } from '../../common/tls.ts';
import { adminService } from './admin-service.ts';
import { brokerService } from './broker-service.ts';
import type { ApiContext } from './handlers.ts';

/** Largest request accepted: a batch of maximal messages must fit. */
export const MESSAGE_BYTES_MAX = 64 * 1024 * 1024;

export interface ApiServer {
  readonly server: grpc.Server;
  readonly health: HealthImplementation;
  readonly port: number;
  /** The plaintext health-only server, when one was asked for. */
  readonly healthServer: grpc.Server | undefined;
  readonly healthPort: number | undefined;
}

export interface ApiServerOptions {
  readonly host: string;
  readonly port: number;
  /** Serve TLS with these files; plaintext when undefined. */
  readonly tls?: TlsFiles;
  /** Also serve grpc.health.v1.Health alone, in plaintext, on this port (0 picks one). */
  readonly healthPort?: number;
}

function bind(server: grpc.Server, address: string, credentials: grpc.ServerCredentials): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.bindAsync(address, credentials, (error, actual) => (error ? reject(error) : resolve(actual)));
  });
}

export async function startApiServer(ctx: ApiContext, options: ApiServerOptions): Promise<ApiServer> {
  const { host, port } = options;
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
  const bound = await bind(server, `${host}:${port}`, serverCredentials(options.tls, false));
  if (options.healthPort === undefined)
    return { server, health, port: bound, healthServer: undefined, healthPort: undefined };
  const healthServer = new grpc.Server();
  health.addToServer(healthServer);
  try {
    const healthPort = await bind(
      healthServer,
      `${host}:${options.healthPort}`,
      grpc.ServerCredentials.createInsecure(),
    );
    return { server, health, port: bound, healthServer, healthPort };
  } catch (error) {
    server.forceShutdown();
    throw error;
  }
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
  // Probes saw NOT_SERVING meanwhile; now they see the port closed.
  api.healthServer?.forceShutdown();
}
