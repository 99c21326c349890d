// Every gRPC server also serves grpc.health.v1.Health and server reflection (so grpcurl and
// Kubernetes gRPC probes work); checked here with real clients of those two services.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './testing.ts';

const require = createRequire(import.meta.url);
const reflectionRoot = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto');
const healthProto = path.join(
  path.dirname(require.resolve('grpc-health-check/package.json')),
  'proto/health/v1/health.proto',
);

interface GenericClient extends grpc.Client {
  [method: string]: unknown;
}
type ClientCtor = new (address: string, credentials: grpc.ChannelCredentials) => GenericClient;

function service(file: string, includeDirs: string[], dotted: string): ClientCtor {
  const loaded = grpc.loadPackageDefinition(
    protoLoader.loadSync(file, { includeDirs, keepCase: true, enums: String }),
  ) as Record<string, unknown>;
  let node: unknown = loaded;
  for (const part of dotted.split('.')) node = (node as Record<string, unknown>)[part];
  return node as ClientCtor;
}

let t: TestBroker;
beforeAll(async () => {
  t = await startTestBroker();
});
afterAll(async () => {
  await t?.close();
});

it('answers grpc.health.v1.Health/Check as SERVING', async () => {
  const Health = service(healthProto, [], 'grpc.health.v1.Health');
  const client = new Health(t.broker.address, grpc.credentials.createInsecure());
  const check = client.Check as (req: object, cb: (e: Error | null, r: { status: string }) => void) => void;
  for (const name of ['', 'wharf.v1.BrokerService', 'wharf.v1.AdminService']) {
    const response = await new Promise<{ status: string }>((resolve, reject) =>
      check.call(client, { service: name }, (e, r) => (e ? reject(e) : resolve(r))),
    );
    expect(response.status).toBe('SERVING');
  }
  client.close();
});

it('lists its services through server reflection', async () => {
  const Reflection = service(
    'grpc/reflection/v1/reflection.proto',
    [reflectionRoot],
    'grpc.reflection.v1.ServerReflection',
  );
  const client = new Reflection(t.broker.address, grpc.credentials.createInsecure());
  const open = client.ServerReflectionInfo as () => grpc.ClientDuplexStream<
    object,
    { list_services_response?: { service: { name: string }[] } }
  >;
  const stream = open.call(client);
  const names = await new Promise<string[]>((resolve, reject) => {
    stream.on('data', (response) => {
      resolve((response.list_services_response?.service ?? []).map((s: { name: string }) => s.name));
      stream.end();
    });
    stream.on('error', reject);
    stream.write({ list_services: '' });
  });
  expect(names).toEqual(expect.arrayContaining(['wharf.v1.BrokerService', 'wharf.v1.AdminService']));
  client.close();
});
