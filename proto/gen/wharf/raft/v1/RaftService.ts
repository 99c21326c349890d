// Original file: wharf/raft/v1/raft.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ExchangeRequest as _wharf_raft_v1_ExchangeRequest, ExchangeRequest__Output as _wharf_raft_v1_ExchangeRequest__Output } from '../../../wharf/raft/v1/ExchangeRequest';
import type { ExchangeResponse as _wharf_raft_v1_ExchangeResponse, ExchangeResponse__Output as _wharf_raft_v1_ExchangeResponse__Output } from '../../../wharf/raft/v1/ExchangeResponse';

/**
 * Served on the peer port only. One stream per peer pair carries the messages of every Raft group,
 * batched, in the compact binary form of broker/transport (not one protobuf message per entry).
 */
export interface RaftServiceClient extends grpc.Client {
  Exchange(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_wharf_raft_v1_ExchangeRequest, _wharf_raft_v1_ExchangeResponse__Output>;
  Exchange(options?: grpc.CallOptions): grpc.ClientDuplexStream<_wharf_raft_v1_ExchangeRequest, _wharf_raft_v1_ExchangeResponse__Output>;
  exchange(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_wharf_raft_v1_ExchangeRequest, _wharf_raft_v1_ExchangeResponse__Output>;
  exchange(options?: grpc.CallOptions): grpc.ClientDuplexStream<_wharf_raft_v1_ExchangeRequest, _wharf_raft_v1_ExchangeResponse__Output>;
  
}

/**
 * Served on the peer port only. One stream per peer pair carries the messages of every Raft group,
 * batched, in the compact binary form of broker/transport (not one protobuf message per entry).
 */
export interface RaftServiceHandlers extends grpc.UntypedServiceImplementation {
  Exchange: grpc.handleBidiStreamingCall<_wharf_raft_v1_ExchangeRequest__Output, _wharf_raft_v1_ExchangeResponse>;
  
}

export interface RaftServiceDefinition extends grpc.ServiceDefinition {
  Exchange: MethodDefinition<_wharf_raft_v1_ExchangeRequest, _wharf_raft_v1_ExchangeResponse, _wharf_raft_v1_ExchangeRequest__Output, _wharf_raft_v1_ExchangeResponse__Output>
}
