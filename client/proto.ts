// The one place that loads the Wharf protos at run time. The options match the generated types in
// proto/gen (proto-loader-gen-types --longs=Number --enums=String --defaults --oneofs), so values
// handed over by grpc-js have exactly the shapes those types describe. The broker's API server
// imports the definitions from here too.
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as AdminProtoGrpcType } from '../proto/gen/admin.ts';
import type { ProtoGrpcType as BrokerProtoGrpcType } from '../proto/gen/broker.ts';

export type { AdminProtoGrpcType, BrokerProtoGrpcType };

/** The repository's proto/ directory (include path for imports such as "wharf/v1/broker.proto"). */
export const PROTO_DIR = fileURLToPath(new URL('../proto', import.meta.url));

export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

/** Raw package definitions, for servers (`server.addService(def.wharf.v1.X.service, ...)`) or reflection. */
export const brokerPackageDefinition: protoLoader.PackageDefinition = protoLoader.loadSync(
  'wharf/v1/broker.proto',
  PROTO_LOADER_OPTIONS,
);
export const adminPackageDefinition: protoLoader.PackageDefinition = protoLoader.loadSync(
  'wharf/v1/admin.proto',
  PROTO_LOADER_OPTIONS,
);

export const brokerProto: BrokerProtoGrpcType = grpc.loadPackageDefinition(
  brokerPackageDefinition,
) as unknown as BrokerProtoGrpcType;
export const adminProto: AdminProtoGrpcType = grpc.loadPackageDefinition(
  adminPackageDefinition,
) as unknown as AdminProtoGrpcType;
