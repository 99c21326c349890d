import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ExchangeRequest as _wharf_raft_v1_ExchangeRequest, ExchangeRequest__Output as _wharf_raft_v1_ExchangeRequest__Output } from './wharf/raft/v1/ExchangeRequest';
import type { ExchangeResponse as _wharf_raft_v1_ExchangeResponse, ExchangeResponse__Output as _wharf_raft_v1_ExchangeResponse__Output } from './wharf/raft/v1/ExchangeResponse';
import type { RaftServiceClient as _wharf_raft_v1_RaftServiceClient, RaftServiceDefinition as _wharf_raft_v1_RaftServiceDefinition } from './wharf/raft/v1/RaftService';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  wharf: {
    raft: {
      v1: {
        ExchangeRequest: MessageTypeDefinition<_wharf_raft_v1_ExchangeRequest, _wharf_raft_v1_ExchangeRequest__Output>
        ExchangeResponse: MessageTypeDefinition<_wharf_raft_v1_ExchangeResponse, _wharf_raft_v1_ExchangeResponse__Output>
        /**
         * Served on the peer port only. One stream per peer pair carries the messages of every Raft group,
         * batched, in the compact binary form of broker/transport (not one protobuf message per entry).
         */
        RaftService: SubtypeConstructor<typeof grpc.Client, _wharf_raft_v1_RaftServiceClient> & { service: _wharf_raft_v1_RaftServiceDefinition }
      }
    }
  }
}

