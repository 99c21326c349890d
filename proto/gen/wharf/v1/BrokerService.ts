// Original file: wharf/v1/broker.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AckRequest as _wharf_v1_AckRequest, AckRequest__Output as _wharf_v1_AckRequest__Output } from '../../wharf/v1/AckRequest';
import type { AckResponse as _wharf_v1_AckResponse, AckResponse__Output as _wharf_v1_AckResponse__Output } from '../../wharf/v1/AckResponse';
import type { CallRequest as _wharf_v1_CallRequest, CallRequest__Output as _wharf_v1_CallRequest__Output } from '../../wharf/v1/CallRequest';
import type { CallResponse as _wharf_v1_CallResponse, CallResponse__Output as _wharf_v1_CallResponse__Output } from '../../wharf/v1/CallResponse';
import type { ConsumeRequest as _wharf_v1_ConsumeRequest, ConsumeRequest__Output as _wharf_v1_ConsumeRequest__Output } from '../../wharf/v1/ConsumeRequest';
import type { ConsumeResponse as _wharf_v1_ConsumeResponse, ConsumeResponse__Output as _wharf_v1_ConsumeResponse__Output } from '../../wharf/v1/ConsumeResponse';
import type { ExtendLeaseRequest as _wharf_v1_ExtendLeaseRequest, ExtendLeaseRequest__Output as _wharf_v1_ExtendLeaseRequest__Output } from '../../wharf/v1/ExtendLeaseRequest';
import type { ExtendLeaseResponse as _wharf_v1_ExtendLeaseResponse, ExtendLeaseResponse__Output as _wharf_v1_ExtendLeaseResponse__Output } from '../../wharf/v1/ExtendLeaseResponse';
import type { NackRequest as _wharf_v1_NackRequest, NackRequest__Output as _wharf_v1_NackRequest__Output } from '../../wharf/v1/NackRequest';
import type { NackResponse as _wharf_v1_NackResponse, NackResponse__Output as _wharf_v1_NackResponse__Output } from '../../wharf/v1/NackResponse';
import type { PublishBatchRequest as _wharf_v1_PublishBatchRequest, PublishBatchRequest__Output as _wharf_v1_PublishBatchRequest__Output } from '../../wharf/v1/PublishBatchRequest';
import type { PublishBatchResponse as _wharf_v1_PublishBatchResponse, PublishBatchResponse__Output as _wharf_v1_PublishBatchResponse__Output } from '../../wharf/v1/PublishBatchResponse';
import type { PublishRequest as _wharf_v1_PublishRequest, PublishRequest__Output as _wharf_v1_PublishRequest__Output } from '../../wharf/v1/PublishRequest';
import type { PublishResponse as _wharf_v1_PublishResponse, PublishResponse__Output as _wharf_v1_PublishResponse__Output } from '../../wharf/v1/PublishResponse';
import type { ReceiveRequest as _wharf_v1_ReceiveRequest, ReceiveRequest__Output as _wharf_v1_ReceiveRequest__Output } from '../../wharf/v1/ReceiveRequest';
import type { ReceiveResponse as _wharf_v1_ReceiveResponse, ReceiveResponse__Output as _wharf_v1_ReceiveResponse__Output } from '../../wharf/v1/ReceiveResponse';

/**
 * BrokerService is served identically by broker pods and by the sidecar on localhost:7070.
 * Destinations are "<namespace>/<name>"; a name without a namespace is filled in by the sidecar.
 */
export interface BrokerServiceClient extends grpc.Client {
  Ack(argument: _wharf_v1_AckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_AckResponse__Output>): grpc.ClientUnaryCall;
  Ack(argument: _wharf_v1_AckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_AckResponse__Output>): grpc.ClientUnaryCall;
  Ack(argument: _wharf_v1_AckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_AckResponse__Output>): grpc.ClientUnaryCall;
  Ack(argument: _wharf_v1_AckRequest, callback: grpc.requestCallback<_wharf_v1_AckResponse__Output>): grpc.ClientUnaryCall;
  ack(argument: _wharf_v1_AckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_AckResponse__Output>): grpc.ClientUnaryCall;
  ack(argument: _wharf_v1_AckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_AckResponse__Output>): grpc.ClientUnaryCall;
  ack(argument: _wharf_v1_AckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_AckResponse__Output>): grpc.ClientUnaryCall;
  ack(argument: _wharf_v1_AckRequest, callback: grpc.requestCallback<_wharf_v1_AckResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Request/reply: publishes with a generated reply_to inbox and waits for the reply.
   */
  Call(argument: _wharf_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_CallResponse__Output>): grpc.ClientUnaryCall;
  Call(argument: _wharf_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_CallResponse__Output>): grpc.ClientUnaryCall;
  Call(argument: _wharf_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_CallResponse__Output>): grpc.ClientUnaryCall;
  Call(argument: _wharf_v1_CallRequest, callback: grpc.requestCallback<_wharf_v1_CallResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Request/reply: publishes with a generated reply_to inbox and waits for the reply.
   */
  call(argument: _wharf_v1_CallRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_CallResponse__Output>): grpc.ClientUnaryCall;
  call(argument: _wharf_v1_CallRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_CallResponse__Output>): grpc.ClientUnaryCall;
  call(argument: _wharf_v1_CallRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_CallResponse__Output>): grpc.ClientUnaryCall;
  call(argument: _wharf_v1_CallRequest, callback: grpc.requestCallback<_wharf_v1_CallResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Push within credit: the first frame subscribes, later frames settle and grant credit.
   */
  Consume(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_wharf_v1_ConsumeRequest, _wharf_v1_ConsumeResponse__Output>;
  Consume(options?: grpc.CallOptions): grpc.ClientDuplexStream<_wharf_v1_ConsumeRequest, _wharf_v1_ConsumeResponse__Output>;
  /**
   * Push within credit: the first frame subscribes, later frames settle and grant credit.
   */
  consume(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_wharf_v1_ConsumeRequest, _wharf_v1_ConsumeResponse__Output>;
  consume(options?: grpc.CallOptions): grpc.ClientDuplexStream<_wharf_v1_ConsumeRequest, _wharf_v1_ConsumeResponse__Output>;
  
  ExtendLease(argument: _wharf_v1_ExtendLeaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ExtendLeaseResponse__Output>): grpc.ClientUnaryCall;
  ExtendLease(argument: _wharf_v1_ExtendLeaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_ExtendLeaseResponse__Output>): grpc.ClientUnaryCall;
  ExtendLease(argument: _wharf_v1_ExtendLeaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ExtendLeaseResponse__Output>): grpc.ClientUnaryCall;
  ExtendLease(argument: _wharf_v1_ExtendLeaseRequest, callback: grpc.requestCallback<_wharf_v1_ExtendLeaseResponse__Output>): grpc.ClientUnaryCall;
  extendLease(argument: _wharf_v1_ExtendLeaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ExtendLeaseResponse__Output>): grpc.ClientUnaryCall;
  extendLease(argument: _wharf_v1_ExtendLeaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_ExtendLeaseResponse__Output>): grpc.ClientUnaryCall;
  extendLease(argument: _wharf_v1_ExtendLeaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ExtendLeaseResponse__Output>): grpc.ClientUnaryCall;
  extendLease(argument: _wharf_v1_ExtendLeaseRequest, callback: grpc.requestCallback<_wharf_v1_ExtendLeaseResponse__Output>): grpc.ClientUnaryCall;
  
  Nack(argument: _wharf_v1_NackRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_NackResponse__Output>): grpc.ClientUnaryCall;
  Nack(argument: _wharf_v1_NackRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_NackResponse__Output>): grpc.ClientUnaryCall;
  Nack(argument: _wharf_v1_NackRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_NackResponse__Output>): grpc.ClientUnaryCall;
  Nack(argument: _wharf_v1_NackRequest, callback: grpc.requestCallback<_wharf_v1_NackResponse__Output>): grpc.ClientUnaryCall;
  nack(argument: _wharf_v1_NackRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_NackResponse__Output>): grpc.ClientUnaryCall;
  nack(argument: _wharf_v1_NackRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_NackResponse__Output>): grpc.ClientUnaryCall;
  nack(argument: _wharf_v1_NackRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_NackResponse__Output>): grpc.ClientUnaryCall;
  nack(argument: _wharf_v1_NackRequest, callback: grpc.requestCallback<_wharf_v1_NackResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Committed on a quorum (fsynced on a majority of replicas), then answered.
   */
  Publish(argument: _wharf_v1_PublishRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_PublishResponse__Output>): grpc.ClientUnaryCall;
  Publish(argument: _wharf_v1_PublishRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_PublishResponse__Output>): grpc.ClientUnaryCall;
  Publish(argument: _wharf_v1_PublishRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_PublishResponse__Output>): grpc.ClientUnaryCall;
  Publish(argument: _wharf_v1_PublishRequest, callback: grpc.requestCallback<_wharf_v1_PublishResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Committed on a quorum (fsynced on a majority of replicas), then answered.
   */
  publish(argument: _wharf_v1_PublishRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_PublishResponse__Output>): grpc.ClientUnaryCall;
  publish(argument: _wharf_v1_PublishRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_PublishResponse__Output>): grpc.ClientUnaryCall;
  publish(argument: _wharf_v1_PublishRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_PublishResponse__Output>): grpc.ClientUnaryCall;
  publish(argument: _wharf_v1_PublishRequest, callback: grpc.requestCallback<_wharf_v1_PublishResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Many messages, one round trip; answered together, in order.
   */
  PublishBatch(argument: _wharf_v1_PublishBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_PublishBatchResponse__Output>): grpc.ClientUnaryCall;
  PublishBatch(argument: _wharf_v1_PublishBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_PublishBatchResponse__Output>): grpc.ClientUnaryCall;
  PublishBatch(argument: _wharf_v1_PublishBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_PublishBatchResponse__Output>): grpc.ClientUnaryCall;
  PublishBatch(argument: _wharf_v1_PublishBatchRequest, callback: grpc.requestCallback<_wharf_v1_PublishBatchResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Many messages, one round trip; answered together, in order.
   */
  publishBatch(argument: _wharf_v1_PublishBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_PublishBatchResponse__Output>): grpc.ClientUnaryCall;
  publishBatch(argument: _wharf_v1_PublishBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_PublishBatchResponse__Output>): grpc.ClientUnaryCall;
  publishBatch(argument: _wharf_v1_PublishBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_PublishBatchResponse__Output>): grpc.ClientUnaryCall;
  publishBatch(argument: _wharf_v1_PublishBatchRequest, callback: grpc.requestCallback<_wharf_v1_PublishBatchResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Pipelined publishes; each response carries the request_id of its request.
   */
  PublishStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_wharf_v1_PublishRequest, _wharf_v1_PublishResponse__Output>;
  PublishStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_wharf_v1_PublishRequest, _wharf_v1_PublishResponse__Output>;
  /**
   * Pipelined publishes; each response carries the request_id of its request.
   */
  publishStream(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_wharf_v1_PublishRequest, _wharf_v1_PublishResponse__Output>;
  publishStream(options?: grpc.CallOptions): grpc.ClientDuplexStream<_wharf_v1_PublishRequest, _wharf_v1_PublishResponse__Output>;
  
  /**
   * Long-poll pull: waits up to `wait` for at least one message.
   */
  Receive(argument: _wharf_v1_ReceiveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ReceiveResponse__Output>): grpc.ClientUnaryCall;
  Receive(argument: _wharf_v1_ReceiveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_ReceiveResponse__Output>): grpc.ClientUnaryCall;
  Receive(argument: _wharf_v1_ReceiveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ReceiveResponse__Output>): grpc.ClientUnaryCall;
  Receive(argument: _wharf_v1_ReceiveRequest, callback: grpc.requestCallback<_wharf_v1_ReceiveResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Long-poll pull: waits up to `wait` for at least one message.
   */
  receive(argument: _wharf_v1_ReceiveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ReceiveResponse__Output>): grpc.ClientUnaryCall;
  receive(argument: _wharf_v1_ReceiveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_ReceiveResponse__Output>): grpc.ClientUnaryCall;
  receive(argument: _wharf_v1_ReceiveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ReceiveResponse__Output>): grpc.ClientUnaryCall;
  receive(argument: _wharf_v1_ReceiveRequest, callback: grpc.requestCallback<_wharf_v1_ReceiveResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * BrokerService is served identically by broker pods and by the sidecar on localhost:7070.
 * Destinations are "<namespace>/<name>"; a name without a namespace is filled in by the sidecar.
 */
export interface BrokerServiceHandlers extends grpc.UntypedServiceImplementation {
  Ack: grpc.handleUnaryCall<_wharf_v1_AckRequest__Output, _wharf_v1_AckResponse>;
  
  /**
   * Request/reply: publishes with a generated reply_to inbox and waits for the reply.
   */
  Call: grpc.handleUnaryCall<_wharf_v1_CallRequest__Output, _wharf_v1_CallResponse>;
  
  /**
   * Push within credit: the first frame subscribes, later frames settle and grant credit.
   */
  Consume: grpc.handleBidiStreamingCall<_wharf_v1_ConsumeRequest__Output, _wharf_v1_ConsumeResponse>;
  
  ExtendLease: grpc.handleUnaryCall<_wharf_v1_ExtendLeaseRequest__Output, _wharf_v1_ExtendLeaseResponse>;
  
  Nack: grpc.handleUnaryCall<_wharf_v1_NackRequest__Output, _wharf_v1_NackResponse>;
  
  /**
   * Committed on a quorum (fsynced on a majority of replicas), then answered.
   */
  Publish: grpc.handleUnaryCall<_wharf_v1_PublishRequest__Output, _wharf_v1_PublishResponse>;
  
  /**
   * Many messages, one round trip; answered together, in order.
   */
  PublishBatch: grpc.handleUnaryCall<_wharf_v1_PublishBatchRequest__Output, _wharf_v1_PublishBatchResponse>;
  
  /**
   * Pipelined publishes; each response carries the request_id of its request.
   */
  PublishStream: grpc.handleBidiStreamingCall<_wharf_v1_PublishRequest__Output, _wharf_v1_PublishResponse>;
  
  /**
   * Long-poll pull: waits up to `wait` for at least one message.
   */
  Receive: grpc.handleUnaryCall<_wharf_v1_ReceiveRequest__Output, _wharf_v1_ReceiveResponse>;
  
}

export interface BrokerServiceDefinition extends grpc.ServiceDefinition {
  Ack: MethodDefinition<_wharf_v1_AckRequest, _wharf_v1_AckResponse, _wharf_v1_AckRequest__Output, _wharf_v1_AckResponse__Output>
  Call: MethodDefinition<_wharf_v1_CallRequest, _wharf_v1_CallResponse, _wharf_v1_CallRequest__Output, _wharf_v1_CallResponse__Output>
  Consume: MethodDefinition<_wharf_v1_ConsumeRequest, _wharf_v1_ConsumeResponse, _wharf_v1_ConsumeRequest__Output, _wharf_v1_ConsumeResponse__Output>
  ExtendLease: MethodDefinition<_wharf_v1_ExtendLeaseRequest, _wharf_v1_ExtendLeaseResponse, _wharf_v1_ExtendLeaseRequest__Output, _wharf_v1_ExtendLeaseResponse__Output>
  Nack: MethodDefinition<_wharf_v1_NackRequest, _wharf_v1_NackResponse, _wharf_v1_NackRequest__Output, _wharf_v1_NackResponse__Output>
  Publish: MethodDefinition<_wharf_v1_PublishRequest, _wharf_v1_PublishResponse, _wharf_v1_PublishRequest__Output, _wharf_v1_PublishResponse__Output>
  PublishBatch: MethodDefinition<_wharf_v1_PublishBatchRequest, _wharf_v1_PublishBatchResponse, _wharf_v1_PublishBatchRequest__Output, _wharf_v1_PublishBatchResponse__Output>
  PublishStream: MethodDefinition<_wharf_v1_PublishRequest, _wharf_v1_PublishResponse, _wharf_v1_PublishRequest__Output, _wharf_v1_PublishResponse__Output>
  Receive: MethodDefinition<_wharf_v1_ReceiveRequest, _wharf_v1_ReceiveResponse, _wharf_v1_ReceiveRequest__Output, _wharf_v1_ReceiveResponse__Output>
}
