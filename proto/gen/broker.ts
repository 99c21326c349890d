import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from './google/protobuf/Duration';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp';
import type { AckRequest as _wharf_v1_AckRequest, AckRequest__Output as _wharf_v1_AckRequest__Output } from './wharf/v1/AckRequest';
import type { AckResponse as _wharf_v1_AckResponse, AckResponse__Output as _wharf_v1_AckResponse__Output } from './wharf/v1/AckResponse';
import type { BrokerServiceClient as _wharf_v1_BrokerServiceClient, BrokerServiceDefinition as _wharf_v1_BrokerServiceDefinition } from './wharf/v1/BrokerService';
import type { CallRequest as _wharf_v1_CallRequest, CallRequest__Output as _wharf_v1_CallRequest__Output } from './wharf/v1/CallRequest';
import type { CallResponse as _wharf_v1_CallResponse, CallResponse__Output as _wharf_v1_CallResponse__Output } from './wharf/v1/CallResponse';
import type { ConsumeRequest as _wharf_v1_ConsumeRequest, ConsumeRequest__Output as _wharf_v1_ConsumeRequest__Output } from './wharf/v1/ConsumeRequest';
import type { ConsumeResponse as _wharf_v1_ConsumeResponse, ConsumeResponse__Output as _wharf_v1_ConsumeResponse__Output } from './wharf/v1/ConsumeResponse';
import type { Delivery as _wharf_v1_Delivery, Delivery__Output as _wharf_v1_Delivery__Output } from './wharf/v1/Delivery';
import type { ExtendLeaseRequest as _wharf_v1_ExtendLeaseRequest, ExtendLeaseRequest__Output as _wharf_v1_ExtendLeaseRequest__Output } from './wharf/v1/ExtendLeaseRequest';
import type { ExtendLeaseResponse as _wharf_v1_ExtendLeaseResponse, ExtendLeaseResponse__Output as _wharf_v1_ExtendLeaseResponse__Output } from './wharf/v1/ExtendLeaseResponse';
import type { Message as _wharf_v1_Message, Message__Output as _wharf_v1_Message__Output } from './wharf/v1/Message';
import type { NackRequest as _wharf_v1_NackRequest, NackRequest__Output as _wharf_v1_NackRequest__Output } from './wharf/v1/NackRequest';
import type { NackResponse as _wharf_v1_NackResponse, NackResponse__Output as _wharf_v1_NackResponse__Output } from './wharf/v1/NackResponse';
import type { PublishBatchRequest as _wharf_v1_PublishBatchRequest, PublishBatchRequest__Output as _wharf_v1_PublishBatchRequest__Output } from './wharf/v1/PublishBatchRequest';
import type { PublishBatchResponse as _wharf_v1_PublishBatchResponse, PublishBatchResponse__Output as _wharf_v1_PublishBatchResponse__Output } from './wharf/v1/PublishBatchResponse';
import type { PublishRequest as _wharf_v1_PublishRequest, PublishRequest__Output as _wharf_v1_PublishRequest__Output } from './wharf/v1/PublishRequest';
import type { PublishResponse as _wharf_v1_PublishResponse, PublishResponse__Output as _wharf_v1_PublishResponse__Output } from './wharf/v1/PublishResponse';
import type { ReceiveRequest as _wharf_v1_ReceiveRequest, ReceiveRequest__Output as _wharf_v1_ReceiveRequest__Output } from './wharf/v1/ReceiveRequest';
import type { ReceiveResponse as _wharf_v1_ReceiveResponse, ReceiveResponse__Output as _wharf_v1_ReceiveResponse__Output } from './wharf/v1/ReceiveResponse';
import type { Settle as _wharf_v1_Settle, Settle__Output as _wharf_v1_Settle__Output } from './wharf/v1/Settle';
import type { SettleResult as _wharf_v1_SettleResult, SettleResult__Output as _wharf_v1_SettleResult__Output } from './wharf/v1/SettleResult';
import type { Subscribe as _wharf_v1_Subscribe, Subscribe__Output as _wharf_v1_Subscribe__Output } from './wharf/v1/Subscribe';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  google: {
    protobuf: {
      Duration: MessageTypeDefinition<_google_protobuf_Duration, _google_protobuf_Duration__Output>
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
  wharf: {
    v1: {
      AckRequest: MessageTypeDefinition<_wharf_v1_AckRequest, _wharf_v1_AckRequest__Output>
      AckResponse: MessageTypeDefinition<_wharf_v1_AckResponse, _wharf_v1_AckResponse__Output>
      /**
       * BrokerService is served identically by broker pods and by the sidecar on localhost:7070.
       * Destinations are "<namespace>/<name>"; a name without a namespace is filled in by the sidecar.
       */
      BrokerService: SubtypeConstructor<typeof grpc.Client, _wharf_v1_BrokerServiceClient> & { service: _wharf_v1_BrokerServiceDefinition }
      CallRequest: MessageTypeDefinition<_wharf_v1_CallRequest, _wharf_v1_CallRequest__Output>
      CallResponse: MessageTypeDefinition<_wharf_v1_CallResponse, _wharf_v1_CallResponse__Output>
      ConsumeRequest: MessageTypeDefinition<_wharf_v1_ConsumeRequest, _wharf_v1_ConsumeRequest__Output>
      ConsumeResponse: MessageTypeDefinition<_wharf_v1_ConsumeResponse, _wharf_v1_ConsumeResponse__Output>
      Delivery: MessageTypeDefinition<_wharf_v1_Delivery, _wharf_v1_Delivery__Output>
      ExtendLeaseRequest: MessageTypeDefinition<_wharf_v1_ExtendLeaseRequest, _wharf_v1_ExtendLeaseRequest__Output>
      ExtendLeaseResponse: MessageTypeDefinition<_wharf_v1_ExtendLeaseResponse, _wharf_v1_ExtendLeaseResponse__Output>
      Message: MessageTypeDefinition<_wharf_v1_Message, _wharf_v1_Message__Output>
      NackRequest: MessageTypeDefinition<_wharf_v1_NackRequest, _wharf_v1_NackRequest__Output>
      NackResponse: MessageTypeDefinition<_wharf_v1_NackResponse, _wharf_v1_NackResponse__Output>
      Outcome: EnumTypeDefinition
      PublishBatchRequest: MessageTypeDefinition<_wharf_v1_PublishBatchRequest, _wharf_v1_PublishBatchRequest__Output>
      PublishBatchResponse: MessageTypeDefinition<_wharf_v1_PublishBatchResponse, _wharf_v1_PublishBatchResponse__Output>
      PublishRequest: MessageTypeDefinition<_wharf_v1_PublishRequest, _wharf_v1_PublishRequest__Output>
      PublishResponse: MessageTypeDefinition<_wharf_v1_PublishResponse, _wharf_v1_PublishResponse__Output>
      ReceiveRequest: MessageTypeDefinition<_wharf_v1_ReceiveRequest, _wharf_v1_ReceiveRequest__Output>
      ReceiveResponse: MessageTypeDefinition<_wharf_v1_ReceiveResponse, _wharf_v1_ReceiveResponse__Output>
      Settle: MessageTypeDefinition<_wharf_v1_Settle, _wharf_v1_Settle__Output>
      SettleResult: MessageTypeDefinition<_wharf_v1_SettleResult, _wharf_v1_SettleResult__Output>
      Subscribe: MessageTypeDefinition<_wharf_v1_Subscribe, _wharf_v1_Subscribe__Output>
    }
  }
}

