import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from './google/protobuf/Duration';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp';
import type { AddMemberRequest as _wharf_v1_AddMemberRequest, AddMemberRequest__Output as _wharf_v1_AddMemberRequest__Output } from './wharf/v1/AddMemberRequest';
import type { AddMemberResponse as _wharf_v1_AddMemberResponse, AddMemberResponse__Output as _wharf_v1_AddMemberResponse__Output } from './wharf/v1/AddMemberResponse';
import type { AdminServiceClient as _wharf_v1_AdminServiceClient, AdminServiceDefinition as _wharf_v1_AdminServiceDefinition } from './wharf/v1/AdminService';
import type { ApplyQueueRequest as _wharf_v1_ApplyQueueRequest, ApplyQueueRequest__Output as _wharf_v1_ApplyQueueRequest__Output } from './wharf/v1/ApplyQueueRequest';
import type { ApplyQueueResponse as _wharf_v1_ApplyQueueResponse, ApplyQueueResponse__Output as _wharf_v1_ApplyQueueResponse__Output } from './wharf/v1/ApplyQueueResponse';
import type { ApplyTopicRequest as _wharf_v1_ApplyTopicRequest, ApplyTopicRequest__Output as _wharf_v1_ApplyTopicRequest__Output } from './wharf/v1/ApplyTopicRequest';
import type { ApplyTopicResponse as _wharf_v1_ApplyTopicResponse, ApplyTopicResponse__Output as _wharf_v1_ApplyTopicResponse__Output } from './wharf/v1/ApplyTopicResponse';
import type { DeleteQueueRequest as _wharf_v1_DeleteQueueRequest, DeleteQueueRequest__Output as _wharf_v1_DeleteQueueRequest__Output } from './wharf/v1/DeleteQueueRequest';
import type { DeleteQueueResponse as _wharf_v1_DeleteQueueResponse, DeleteQueueResponse__Output as _wharf_v1_DeleteQueueResponse__Output } from './wharf/v1/DeleteQueueResponse';
import type { DeleteTopicRequest as _wharf_v1_DeleteTopicRequest, DeleteTopicRequest__Output as _wharf_v1_DeleteTopicRequest__Output } from './wharf/v1/DeleteTopicRequest';
import type { DeleteTopicResponse as _wharf_v1_DeleteTopicResponse, DeleteTopicResponse__Output as _wharf_v1_DeleteTopicResponse__Output } from './wharf/v1/DeleteTopicResponse';
import type { GetClusterStatusRequest as _wharf_v1_GetClusterStatusRequest, GetClusterStatusRequest__Output as _wharf_v1_GetClusterStatusRequest__Output } from './wharf/v1/GetClusterStatusRequest';
import type { GetClusterStatusResponse as _wharf_v1_GetClusterStatusResponse, GetClusterStatusResponse__Output as _wharf_v1_GetClusterStatusResponse__Output } from './wharf/v1/GetClusterStatusResponse';
import type { GetQueueRequest as _wharf_v1_GetQueueRequest, GetQueueRequest__Output as _wharf_v1_GetQueueRequest__Output } from './wharf/v1/GetQueueRequest';
import type { GetQueueResponse as _wharf_v1_GetQueueResponse, GetQueueResponse__Output as _wharf_v1_GetQueueResponse__Output } from './wharf/v1/GetQueueResponse';
import type { GetTopicRequest as _wharf_v1_GetTopicRequest, GetTopicRequest__Output as _wharf_v1_GetTopicRequest__Output } from './wharf/v1/GetTopicRequest';
import type { GetTopicResponse as _wharf_v1_GetTopicResponse, GetTopicResponse__Output as _wharf_v1_GetTopicResponse__Output } from './wharf/v1/GetTopicResponse';
import type { ListQueuesRequest as _wharf_v1_ListQueuesRequest, ListQueuesRequest__Output as _wharf_v1_ListQueuesRequest__Output } from './wharf/v1/ListQueuesRequest';
import type { ListQueuesResponse as _wharf_v1_ListQueuesResponse, ListQueuesResponse__Output as _wharf_v1_ListQueuesResponse__Output } from './wharf/v1/ListQueuesResponse';
import type { ListTopicsRequest as _wharf_v1_ListTopicsRequest, ListTopicsRequest__Output as _wharf_v1_ListTopicsRequest__Output } from './wharf/v1/ListTopicsRequest';
import type { ListTopicsResponse as _wharf_v1_ListTopicsResponse, ListTopicsResponse__Output as _wharf_v1_ListTopicsResponse__Output } from './wharf/v1/ListTopicsResponse';
import type { Member as _wharf_v1_Member, Member__Output as _wharf_v1_Member__Output } from './wharf/v1/Member';
import type { Queue as _wharf_v1_Queue, Queue__Output as _wharf_v1_Queue__Output } from './wharf/v1/Queue';
import type { QueueSpec as _wharf_v1_QueueSpec, QueueSpec__Output as _wharf_v1_QueueSpec__Output } from './wharf/v1/QueueSpec';
import type { QueueStatus as _wharf_v1_QueueStatus, QueueStatus__Output as _wharf_v1_QueueStatus__Output } from './wharf/v1/QueueStatus';
import type { RedriveDeadLettersRequest as _wharf_v1_RedriveDeadLettersRequest, RedriveDeadLettersRequest__Output as _wharf_v1_RedriveDeadLettersRequest__Output } from './wharf/v1/RedriveDeadLettersRequest';
import type { RedriveDeadLettersResponse as _wharf_v1_RedriveDeadLettersResponse, RedriveDeadLettersResponse__Output as _wharf_v1_RedriveDeadLettersResponse__Output } from './wharf/v1/RedriveDeadLettersResponse';
import type { RemoveMemberRequest as _wharf_v1_RemoveMemberRequest, RemoveMemberRequest__Output as _wharf_v1_RemoveMemberRequest__Output } from './wharf/v1/RemoveMemberRequest';
import type { RemoveMemberResponse as _wharf_v1_RemoveMemberResponse, RemoveMemberResponse__Output as _wharf_v1_RemoveMemberResponse__Output } from './wharf/v1/RemoveMemberResponse';
import type { Retention as _wharf_v1_Retention, Retention__Output as _wharf_v1_Retention__Output } from './wharf/v1/Retention';
import type { RetryBackoff as _wharf_v1_RetryBackoff, RetryBackoff__Output as _wharf_v1_RetryBackoff__Output } from './wharf/v1/RetryBackoff';
import type { SubscriptionSpec as _wharf_v1_SubscriptionSpec, SubscriptionSpec__Output as _wharf_v1_SubscriptionSpec__Output } from './wharf/v1/SubscriptionSpec';
import type { SubscriptionStatus as _wharf_v1_SubscriptionStatus, SubscriptionStatus__Output as _wharf_v1_SubscriptionStatus__Output } from './wharf/v1/SubscriptionStatus';
import type { Topic as _wharf_v1_Topic, Topic__Output as _wharf_v1_Topic__Output } from './wharf/v1/Topic';
import type { TopicSpec as _wharf_v1_TopicSpec, TopicSpec__Output as _wharf_v1_TopicSpec__Output } from './wharf/v1/TopicSpec';
import type { TopicStatus as _wharf_v1_TopicStatus, TopicStatus__Output as _wharf_v1_TopicStatus__Output } from './wharf/v1/TopicStatus';
import type { TransferLeadershipRequest as _wharf_v1_TransferLeadershipRequest, TransferLeadershipRequest__Output as _wharf_v1_TransferLeadershipRequest__Output } from './wharf/v1/TransferLeadershipRequest';
import type { TransferLeadershipResponse as _wharf_v1_TransferLeadershipResponse, TransferLeadershipResponse__Output as _wharf_v1_TransferLeadershipResponse__Output } from './wharf/v1/TransferLeadershipResponse';

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
      AddMemberRequest: MessageTypeDefinition<_wharf_v1_AddMemberRequest, _wharf_v1_AddMemberRequest__Output>
      AddMemberResponse: MessageTypeDefinition<_wharf_v1_AddMemberResponse, _wharf_v1_AddMemberResponse__Output>
      /**
       * AdminService is used by the operator, the CLI and tests. Apply* is idempotent (create or
       * update) and returns the stored object.
       */
      AdminService: SubtypeConstructor<typeof grpc.Client, _wharf_v1_AdminServiceClient> & { service: _wharf_v1_AdminServiceDefinition }
      ApplyQueueRequest: MessageTypeDefinition<_wharf_v1_ApplyQueueRequest, _wharf_v1_ApplyQueueRequest__Output>
      ApplyQueueResponse: MessageTypeDefinition<_wharf_v1_ApplyQueueResponse, _wharf_v1_ApplyQueueResponse__Output>
      ApplyTopicRequest: MessageTypeDefinition<_wharf_v1_ApplyTopicRequest, _wharf_v1_ApplyTopicRequest__Output>
      ApplyTopicResponse: MessageTypeDefinition<_wharf_v1_ApplyTopicResponse, _wharf_v1_ApplyTopicResponse__Output>
      DeleteQueueRequest: MessageTypeDefinition<_wharf_v1_DeleteQueueRequest, _wharf_v1_DeleteQueueRequest__Output>
      DeleteQueueResponse: MessageTypeDefinition<_wharf_v1_DeleteQueueResponse, _wharf_v1_DeleteQueueResponse__Output>
      DeleteTopicRequest: MessageTypeDefinition<_wharf_v1_DeleteTopicRequest, _wharf_v1_DeleteTopicRequest__Output>
      DeleteTopicResponse: MessageTypeDefinition<_wharf_v1_DeleteTopicResponse, _wharf_v1_DeleteTopicResponse__Output>
      DeletionPolicy: EnumTypeDefinition
      GetClusterStatusRequest: MessageTypeDefinition<_wharf_v1_GetClusterStatusRequest, _wharf_v1_GetClusterStatusRequest__Output>
      GetClusterStatusResponse: MessageTypeDefinition<_wharf_v1_GetClusterStatusResponse, _wharf_v1_GetClusterStatusResponse__Output>
      GetQueueRequest: MessageTypeDefinition<_wharf_v1_GetQueueRequest, _wharf_v1_GetQueueRequest__Output>
      GetQueueResponse: MessageTypeDefinition<_wharf_v1_GetQueueResponse, _wharf_v1_GetQueueResponse__Output>
      GetTopicRequest: MessageTypeDefinition<_wharf_v1_GetTopicRequest, _wharf_v1_GetTopicRequest__Output>
      GetTopicResponse: MessageTypeDefinition<_wharf_v1_GetTopicResponse, _wharf_v1_GetTopicResponse__Output>
      ListQueuesRequest: MessageTypeDefinition<_wharf_v1_ListQueuesRequest, _wharf_v1_ListQueuesRequest__Output>
      ListQueuesResponse: MessageTypeDefinition<_wharf_v1_ListQueuesResponse, _wharf_v1_ListQueuesResponse__Output>
      ListTopicsRequest: MessageTypeDefinition<_wharf_v1_ListTopicsRequest, _wharf_v1_ListTopicsRequest__Output>
      ListTopicsResponse: MessageTypeDefinition<_wharf_v1_ListTopicsResponse, _wharf_v1_ListTopicsResponse__Output>
      Member: MessageTypeDefinition<_wharf_v1_Member, _wharf_v1_Member__Output>
      Ordering: EnumTypeDefinition
      Overflow: EnumTypeDefinition
      Queue: MessageTypeDefinition<_wharf_v1_Queue, _wharf_v1_Queue__Output>
      QueueSpec: MessageTypeDefinition<_wharf_v1_QueueSpec, _wharf_v1_QueueSpec__Output>
      QueueStatus: MessageTypeDefinition<_wharf_v1_QueueStatus, _wharf_v1_QueueStatus__Output>
      RedriveDeadLettersRequest: MessageTypeDefinition<_wharf_v1_RedriveDeadLettersRequest, _wharf_v1_RedriveDeadLettersRequest__Output>
      RedriveDeadLettersResponse: MessageTypeDefinition<_wharf_v1_RedriveDeadLettersResponse, _wharf_v1_RedriveDeadLettersResponse__Output>
      RemoveMemberRequest: MessageTypeDefinition<_wharf_v1_RemoveMemberRequest, _wharf_v1_RemoveMemberRequest__Output>
      RemoveMemberResponse: MessageTypeDefinition<_wharf_v1_RemoveMemberResponse, _wharf_v1_RemoveMemberResponse__Output>
      Retention: MessageTypeDefinition<_wharf_v1_Retention, _wharf_v1_Retention__Output>
      RetryBackoff: MessageTypeDefinition<_wharf_v1_RetryBackoff, _wharf_v1_RetryBackoff__Output>
      SubscriptionSpec: MessageTypeDefinition<_wharf_v1_SubscriptionSpec, _wharf_v1_SubscriptionSpec__Output>
      SubscriptionStatus: MessageTypeDefinition<_wharf_v1_SubscriptionStatus, _wharf_v1_SubscriptionStatus__Output>
      Topic: MessageTypeDefinition<_wharf_v1_Topic, _wharf_v1_Topic__Output>
      TopicSpec: MessageTypeDefinition<_wharf_v1_TopicSpec, _wharf_v1_TopicSpec__Output>
      TopicStatus: MessageTypeDefinition<_wharf_v1_TopicStatus, _wharf_v1_TopicStatus__Output>
      TransferLeadershipRequest: MessageTypeDefinition<_wharf_v1_TransferLeadershipRequest, _wharf_v1_TransferLeadershipRequest__Output>
      TransferLeadershipResponse: MessageTypeDefinition<_wharf_v1_TransferLeadershipResponse, _wharf_v1_TransferLeadershipResponse__Output>
    }
  }
}

