// Original file: wharf/v1/admin.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddMemberRequest as _wharf_v1_AddMemberRequest, AddMemberRequest__Output as _wharf_v1_AddMemberRequest__Output } from '../../wharf/v1/AddMemberRequest';
import type { AddMemberResponse as _wharf_v1_AddMemberResponse, AddMemberResponse__Output as _wharf_v1_AddMemberResponse__Output } from '../../wharf/v1/AddMemberResponse';
import type { ApplyQueueRequest as _wharf_v1_ApplyQueueRequest, ApplyQueueRequest__Output as _wharf_v1_ApplyQueueRequest__Output } from '../../wharf/v1/ApplyQueueRequest';
import type { ApplyQueueResponse as _wharf_v1_ApplyQueueResponse, ApplyQueueResponse__Output as _wharf_v1_ApplyQueueResponse__Output } from '../../wharf/v1/ApplyQueueResponse';
import type { ApplyTopicRequest as _wharf_v1_ApplyTopicRequest, ApplyTopicRequest__Output as _wharf_v1_ApplyTopicRequest__Output } from '../../wharf/v1/ApplyTopicRequest';
import type { ApplyTopicResponse as _wharf_v1_ApplyTopicResponse, ApplyTopicResponse__Output as _wharf_v1_ApplyTopicResponse__Output } from '../../wharf/v1/ApplyTopicResponse';
import type { DeleteQueueRequest as _wharf_v1_DeleteQueueRequest, DeleteQueueRequest__Output as _wharf_v1_DeleteQueueRequest__Output } from '../../wharf/v1/DeleteQueueRequest';
import type { DeleteQueueResponse as _wharf_v1_DeleteQueueResponse, DeleteQueueResponse__Output as _wharf_v1_DeleteQueueResponse__Output } from '../../wharf/v1/DeleteQueueResponse';
import type { DeleteTopicRequest as _wharf_v1_DeleteTopicRequest, DeleteTopicRequest__Output as _wharf_v1_DeleteTopicRequest__Output } from '../../wharf/v1/DeleteTopicRequest';
import type { DeleteTopicResponse as _wharf_v1_DeleteTopicResponse, DeleteTopicResponse__Output as _wharf_v1_DeleteTopicResponse__Output } from '../../wharf/v1/DeleteTopicResponse';
import type { GetClusterStatusRequest as _wharf_v1_GetClusterStatusRequest, GetClusterStatusRequest__Output as _wharf_v1_GetClusterStatusRequest__Output } from '../../wharf/v1/GetClusterStatusRequest';
import type { GetClusterStatusResponse as _wharf_v1_GetClusterStatusResponse, GetClusterStatusResponse__Output as _wharf_v1_GetClusterStatusResponse__Output } from '../../wharf/v1/GetClusterStatusResponse';
import type { GetQueueRequest as _wharf_v1_GetQueueRequest, GetQueueRequest__Output as _wharf_v1_GetQueueRequest__Output } from '../../wharf/v1/GetQueueRequest';
import type { GetQueueResponse as _wharf_v1_GetQueueResponse, GetQueueResponse__Output as _wharf_v1_GetQueueResponse__Output } from '../../wharf/v1/GetQueueResponse';
import type { GetTopicRequest as _wharf_v1_GetTopicRequest, GetTopicRequest__Output as _wharf_v1_GetTopicRequest__Output } from '../../wharf/v1/GetTopicRequest';
import type { GetTopicResponse as _wharf_v1_GetTopicResponse, GetTopicResponse__Output as _wharf_v1_GetTopicResponse__Output } from '../../wharf/v1/GetTopicResponse';
import type { ListQueuesRequest as _wharf_v1_ListQueuesRequest, ListQueuesRequest__Output as _wharf_v1_ListQueuesRequest__Output } from '../../wharf/v1/ListQueuesRequest';
import type { ListQueuesResponse as _wharf_v1_ListQueuesResponse, ListQueuesResponse__Output as _wharf_v1_ListQueuesResponse__Output } from '../../wharf/v1/ListQueuesResponse';
import type { ListTopicsRequest as _wharf_v1_ListTopicsRequest, ListTopicsRequest__Output as _wharf_v1_ListTopicsRequest__Output } from '../../wharf/v1/ListTopicsRequest';
import type { ListTopicsResponse as _wharf_v1_ListTopicsResponse, ListTopicsResponse__Output as _wharf_v1_ListTopicsResponse__Output } from '../../wharf/v1/ListTopicsResponse';
import type { RedriveDeadLettersRequest as _wharf_v1_RedriveDeadLettersRequest, RedriveDeadLettersRequest__Output as _wharf_v1_RedriveDeadLettersRequest__Output } from '../../wharf/v1/RedriveDeadLettersRequest';
import type { RedriveDeadLettersResponse as _wharf_v1_RedriveDeadLettersResponse, RedriveDeadLettersResponse__Output as _wharf_v1_RedriveDeadLettersResponse__Output } from '../../wharf/v1/RedriveDeadLettersResponse';
import type { RemoveMemberRequest as _wharf_v1_RemoveMemberRequest, RemoveMemberRequest__Output as _wharf_v1_RemoveMemberRequest__Output } from '../../wharf/v1/RemoveMemberRequest';
import type { RemoveMemberResponse as _wharf_v1_RemoveMemberResponse, RemoveMemberResponse__Output as _wharf_v1_RemoveMemberResponse__Output } from '../../wharf/v1/RemoveMemberResponse';
import type { TransferLeadershipRequest as _wharf_v1_TransferLeadershipRequest, TransferLeadershipRequest__Output as _wharf_v1_TransferLeadershipRequest__Output } from '../../wharf/v1/TransferLeadershipRequest';
import type { TransferLeadershipResponse as _wharf_v1_TransferLeadershipResponse, TransferLeadershipResponse__Output as _wharf_v1_TransferLeadershipResponse__Output } from '../../wharf/v1/TransferLeadershipResponse';

/**
 * AdminService is used by the operator, the CLI and tests. Apply* is idempotent (create or
 * update) and returns the stored object.
 */
export interface AdminServiceClient extends grpc.Client {
  AddMember(argument: _wharf_v1_AddMemberRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_AddMemberResponse__Output>): grpc.ClientUnaryCall;
  AddMember(argument: _wharf_v1_AddMemberRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_AddMemberResponse__Output>): grpc.ClientUnaryCall;
  AddMember(argument: _wharf_v1_AddMemberRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_AddMemberResponse__Output>): grpc.ClientUnaryCall;
  AddMember(argument: _wharf_v1_AddMemberRequest, callback: grpc.requestCallback<_wharf_v1_AddMemberResponse__Output>): grpc.ClientUnaryCall;
  addMember(argument: _wharf_v1_AddMemberRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_AddMemberResponse__Output>): grpc.ClientUnaryCall;
  addMember(argument: _wharf_v1_AddMemberRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_AddMemberResponse__Output>): grpc.ClientUnaryCall;
  addMember(argument: _wharf_v1_AddMemberRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_AddMemberResponse__Output>): grpc.ClientUnaryCall;
  addMember(argument: _wharf_v1_AddMemberRequest, callback: grpc.requestCallback<_wharf_v1_AddMemberResponse__Output>): grpc.ClientUnaryCall;
  
  ApplyQueue(argument: _wharf_v1_ApplyQueueRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ApplyQueueResponse__Output>): grpc.ClientUnaryCall;
  ApplyQueue(argument: _wharf_v1_ApplyQueueRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_ApplyQueueResponse__Output>): grpc.ClientUnaryCall;
  ApplyQueue(argument: _wharf_v1_ApplyQueueRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ApplyQueueResponse__Output>): grpc.ClientUnaryCall;
  ApplyQueue(argument: _wharf_v1_ApplyQueueRequest, callback: grpc.requestCallback<_wharf_v1_ApplyQueueResponse__Output>): grpc.ClientUnaryCall;
  applyQueue(argument: _wharf_v1_ApplyQueueRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ApplyQueueResponse__Output>): grpc.ClientUnaryCall;
  applyQueue(argument: _wharf_v1_ApplyQueueRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_ApplyQueueResponse__Output>): grpc.ClientUnaryCall;
  applyQueue(argument: _wharf_v1_ApplyQueueRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ApplyQueueResponse__Output>): grpc.ClientUnaryCall;
  applyQueue(argument: _wharf_v1_ApplyQueueRequest, callback: grpc.requestCallback<_wharf_v1_ApplyQueueResponse__Output>): grpc.ClientUnaryCall;
  
  ApplyTopic(argument: _wharf_v1_ApplyTopicRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ApplyTopicResponse__Output>): grpc.ClientUnaryCall;
  ApplyTopic(argument: _wharf_v1_ApplyTopicRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_ApplyTopicResponse__Output>): grpc.ClientUnaryCall;
  ApplyTopic(argument: _wharf_v1_ApplyTopicRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ApplyTopicResponse__Output>): grpc.ClientUnaryCall;
  ApplyTopic(argument: _wharf_v1_ApplyTopicRequest, callback: grpc.requestCallback<_wharf_v1_ApplyTopicResponse__Output>): grpc.ClientUnaryCall;
  applyTopic(argument: _wharf_v1_ApplyTopicRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ApplyTopicResponse__Output>): grpc.ClientUnaryCall;
  applyTopic(argument: _wharf_v1_ApplyTopicRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_ApplyTopicResponse__Output>): grpc.ClientUnaryCall;
  applyTopic(argument: _wharf_v1_ApplyTopicRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ApplyTopicResponse__Output>): grpc.ClientUnaryCall;
  applyTopic(argument: _wharf_v1_ApplyTopicRequest, callback: grpc.requestCallback<_wharf_v1_ApplyTopicResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteQueue(argument: _wharf_v1_DeleteQueueRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_DeleteQueueResponse__Output>): grpc.ClientUnaryCall;
  DeleteQueue(argument: _wharf_v1_DeleteQueueRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_DeleteQueueResponse__Output>): grpc.ClientUnaryCall;
  DeleteQueue(argument: _wharf_v1_DeleteQueueRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_DeleteQueueResponse__Output>): grpc.ClientUnaryCall;
  DeleteQueue(argument: _wharf_v1_DeleteQueueRequest, callback: grpc.requestCallback<_wharf_v1_DeleteQueueResponse__Output>): grpc.ClientUnaryCall;
  deleteQueue(argument: _wharf_v1_DeleteQueueRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_DeleteQueueResponse__Output>): grpc.ClientUnaryCall;
  deleteQueue(argument: _wharf_v1_DeleteQueueRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_DeleteQueueResponse__Output>): grpc.ClientUnaryCall;
  deleteQueue(argument: _wharf_v1_DeleteQueueRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_DeleteQueueResponse__Output>): grpc.ClientUnaryCall;
  deleteQueue(argument: _wharf_v1_DeleteQueueRequest, callback: grpc.requestCallback<_wharf_v1_DeleteQueueResponse__Output>): grpc.ClientUnaryCall;
  
  DeleteTopic(argument: _wharf_v1_DeleteTopicRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_DeleteTopicResponse__Output>): grpc.ClientUnaryCall;
  DeleteTopic(argument: _wharf_v1_DeleteTopicRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_DeleteTopicResponse__Output>): grpc.ClientUnaryCall;
  DeleteTopic(argument: _wharf_v1_DeleteTopicRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_DeleteTopicResponse__Output>): grpc.ClientUnaryCall;
  DeleteTopic(argument: _wharf_v1_DeleteTopicRequest, callback: grpc.requestCallback<_wharf_v1_DeleteTopicResponse__Output>): grpc.ClientUnaryCall;
  deleteTopic(argument: _wharf_v1_DeleteTopicRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_DeleteTopicResponse__Output>): grpc.ClientUnaryCall;
  deleteTopic(argument: _wharf_v1_DeleteTopicRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_DeleteTopicResponse__Output>): grpc.ClientUnaryCall;
  deleteTopic(argument: _wharf_v1_DeleteTopicRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_DeleteTopicResponse__Output>): grpc.ClientUnaryCall;
  deleteTopic(argument: _wharf_v1_DeleteTopicRequest, callback: grpc.requestCallback<_wharf_v1_DeleteTopicResponse__Output>): grpc.ClientUnaryCall;
  
  GetClusterStatus(argument: _wharf_v1_GetClusterStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_GetClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  GetClusterStatus(argument: _wharf_v1_GetClusterStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_GetClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  GetClusterStatus(argument: _wharf_v1_GetClusterStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_GetClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  GetClusterStatus(argument: _wharf_v1_GetClusterStatusRequest, callback: grpc.requestCallback<_wharf_v1_GetClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  getClusterStatus(argument: _wharf_v1_GetClusterStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_GetClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  getClusterStatus(argument: _wharf_v1_GetClusterStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_GetClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  getClusterStatus(argument: _wharf_v1_GetClusterStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_GetClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  getClusterStatus(argument: _wharf_v1_GetClusterStatusRequest, callback: grpc.requestCallback<_wharf_v1_GetClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  
  GetQueue(argument: _wharf_v1_GetQueueRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_GetQueueResponse__Output>): grpc.ClientUnaryCall;
  GetQueue(argument: _wharf_v1_GetQueueRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_GetQueueResponse__Output>): grpc.ClientUnaryCall;
  GetQueue(argument: _wharf_v1_GetQueueRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_GetQueueResponse__Output>): grpc.ClientUnaryCall;
  GetQueue(argument: _wharf_v1_GetQueueRequest, callback: grpc.requestCallback<_wharf_v1_GetQueueResponse__Output>): grpc.ClientUnaryCall;
  getQueue(argument: _wharf_v1_GetQueueRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_GetQueueResponse__Output>): grpc.ClientUnaryCall;
  getQueue(argument: _wharf_v1_GetQueueRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_GetQueueResponse__Output>): grpc.ClientUnaryCall;
  getQueue(argument: _wharf_v1_GetQueueRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_GetQueueResponse__Output>): grpc.ClientUnaryCall;
  getQueue(argument: _wharf_v1_GetQueueRequest, callback: grpc.requestCallback<_wharf_v1_GetQueueResponse__Output>): grpc.ClientUnaryCall;
  
  GetTopic(argument: _wharf_v1_GetTopicRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_GetTopicResponse__Output>): grpc.ClientUnaryCall;
  GetTopic(argument: _wharf_v1_GetTopicRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_GetTopicResponse__Output>): grpc.ClientUnaryCall;
  GetTopic(argument: _wharf_v1_GetTopicRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_GetTopicResponse__Output>): grpc.ClientUnaryCall;
  GetTopic(argument: _wharf_v1_GetTopicRequest, callback: grpc.requestCallback<_wharf_v1_GetTopicResponse__Output>): grpc.ClientUnaryCall;
  getTopic(argument: _wharf_v1_GetTopicRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_GetTopicResponse__Output>): grpc.ClientUnaryCall;
  getTopic(argument: _wharf_v1_GetTopicRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_GetTopicResponse__Output>): grpc.ClientUnaryCall;
  getTopic(argument: _wharf_v1_GetTopicRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_GetTopicResponse__Output>): grpc.ClientUnaryCall;
  getTopic(argument: _wharf_v1_GetTopicRequest, callback: grpc.requestCallback<_wharf_v1_GetTopicResponse__Output>): grpc.ClientUnaryCall;
  
  ListQueues(argument: _wharf_v1_ListQueuesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ListQueuesResponse__Output>): grpc.ClientUnaryCall;
  ListQueues(argument: _wharf_v1_ListQueuesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_ListQueuesResponse__Output>): grpc.ClientUnaryCall;
  ListQueues(argument: _wharf_v1_ListQueuesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ListQueuesResponse__Output>): grpc.ClientUnaryCall;
  ListQueues(argument: _wharf_v1_ListQueuesRequest, callback: grpc.requestCallback<_wharf_v1_ListQueuesResponse__Output>): grpc.ClientUnaryCall;
  listQueues(argument: _wharf_v1_ListQueuesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ListQueuesResponse__Output>): grpc.ClientUnaryCall;
  listQueues(argument: _wharf_v1_ListQueuesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_ListQueuesResponse__Output>): grpc.ClientUnaryCall;
  listQueues(argument: _wharf_v1_ListQueuesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ListQueuesResponse__Output>): grpc.ClientUnaryCall;
  listQueues(argument: _wharf_v1_ListQueuesRequest, callback: grpc.requestCallback<_wharf_v1_ListQueuesResponse__Output>): grpc.ClientUnaryCall;
  
  ListTopics(argument: _wharf_v1_ListTopicsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ListTopicsResponse__Output>): grpc.ClientUnaryCall;
  ListTopics(argument: _wharf_v1_ListTopicsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_ListTopicsResponse__Output>): grpc.ClientUnaryCall;
  ListTopics(argument: _wharf_v1_ListTopicsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ListTopicsResponse__Output>): grpc.ClientUnaryCall;
  ListTopics(argument: _wharf_v1_ListTopicsRequest, callback: grpc.requestCallback<_wharf_v1_ListTopicsResponse__Output>): grpc.ClientUnaryCall;
  listTopics(argument: _wharf_v1_ListTopicsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ListTopicsResponse__Output>): grpc.ClientUnaryCall;
  listTopics(argument: _wharf_v1_ListTopicsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_ListTopicsResponse__Output>): grpc.ClientUnaryCall;
  listTopics(argument: _wharf_v1_ListTopicsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_ListTopicsResponse__Output>): grpc.ClientUnaryCall;
  listTopics(argument: _wharf_v1_ListTopicsRequest, callback: grpc.requestCallback<_wharf_v1_ListTopicsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Moves a dead-letter queue's messages back to where they came from: all, or max_messages.
   */
  RedriveDeadLetters(argument: _wharf_v1_RedriveDeadLettersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_RedriveDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  RedriveDeadLetters(argument: _wharf_v1_RedriveDeadLettersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_RedriveDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  RedriveDeadLetters(argument: _wharf_v1_RedriveDeadLettersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_RedriveDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  RedriveDeadLetters(argument: _wharf_v1_RedriveDeadLettersRequest, callback: grpc.requestCallback<_wharf_v1_RedriveDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Moves a dead-letter queue's messages back to where they came from: all, or max_messages.
   */
  redriveDeadLetters(argument: _wharf_v1_RedriveDeadLettersRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_RedriveDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  redriveDeadLetters(argument: _wharf_v1_RedriveDeadLettersRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_RedriveDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  redriveDeadLetters(argument: _wharf_v1_RedriveDeadLettersRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_RedriveDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  redriveDeadLetters(argument: _wharf_v1_RedriveDeadLettersRequest, callback: grpc.requestCallback<_wharf_v1_RedriveDeadLettersResponse__Output>): grpc.ClientUnaryCall;
  
  RemoveMember(argument: _wharf_v1_RemoveMemberRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_RemoveMemberResponse__Output>): grpc.ClientUnaryCall;
  RemoveMember(argument: _wharf_v1_RemoveMemberRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_RemoveMemberResponse__Output>): grpc.ClientUnaryCall;
  RemoveMember(argument: _wharf_v1_RemoveMemberRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_RemoveMemberResponse__Output>): grpc.ClientUnaryCall;
  RemoveMember(argument: _wharf_v1_RemoveMemberRequest, callback: grpc.requestCallback<_wharf_v1_RemoveMemberResponse__Output>): grpc.ClientUnaryCall;
  removeMember(argument: _wharf_v1_RemoveMemberRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_RemoveMemberResponse__Output>): grpc.ClientUnaryCall;
  removeMember(argument: _wharf_v1_RemoveMemberRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_RemoveMemberResponse__Output>): grpc.ClientUnaryCall;
  removeMember(argument: _wharf_v1_RemoveMemberRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_RemoveMemberResponse__Output>): grpc.ClientUnaryCall;
  removeMember(argument: _wharf_v1_RemoveMemberRequest, callback: grpc.requestCallback<_wharf_v1_RemoveMemberResponse__Output>): grpc.ClientUnaryCall;
  
  TransferLeadership(argument: _wharf_v1_TransferLeadershipRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _wharf_v1_TransferLeadershipRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _wharf_v1_TransferLeadershipRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  TransferLeadership(argument: _wharf_v1_TransferLeadershipRequest, callback: grpc.requestCallback<_wharf_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _wharf_v1_TransferLeadershipRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _wharf_v1_TransferLeadershipRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_wharf_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _wharf_v1_TransferLeadershipRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_wharf_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  transferLeadership(argument: _wharf_v1_TransferLeadershipRequest, callback: grpc.requestCallback<_wharf_v1_TransferLeadershipResponse__Output>): grpc.ClientUnaryCall;
  
}

/**
 * AdminService is used by the operator, the CLI and tests. Apply* is idempotent (create or
 * update) and returns the stored object.
 */
export interface AdminServiceHandlers extends grpc.UntypedServiceImplementation {
  AddMember: grpc.handleUnaryCall<_wharf_v1_AddMemberRequest__Output, _wharf_v1_AddMemberResponse>;
  
  ApplyQueue: grpc.handleUnaryCall<_wharf_v1_ApplyQueueRequest__Output, _wharf_v1_ApplyQueueResponse>;
  
  ApplyTopic: grpc.handleUnaryCall<_wharf_v1_ApplyTopicRequest__Output, _wharf_v1_ApplyTopicResponse>;
  
  DeleteQueue: grpc.handleUnaryCall<_wharf_v1_DeleteQueueRequest__Output, _wharf_v1_DeleteQueueResponse>;
  
  DeleteTopic: grpc.handleUnaryCall<_wharf_v1_DeleteTopicRequest__Output, _wharf_v1_DeleteTopicResponse>;
  
  GetClusterStatus: grpc.handleUnaryCall<_wharf_v1_GetClusterStatusRequest__Output, _wharf_v1_GetClusterStatusResponse>;
  
  GetQueue: grpc.handleUnaryCall<_wharf_v1_GetQueueRequest__Output, _wharf_v1_GetQueueResponse>;
  
  GetTopic: grpc.handleUnaryCall<_wharf_v1_GetTopicRequest__Output, _wharf_v1_GetTopicResponse>;
  
  ListQueues: grpc.handleUnaryCall<_wharf_v1_ListQueuesRequest__Output, _wharf_v1_ListQueuesResponse>;
  
  ListTopics: grpc.handleUnaryCall<_wharf_v1_ListTopicsRequest__Output, _wharf_v1_ListTopicsResponse>;
  
  /**
   * Moves a dead-letter queue's messages back to where they came from: all, or max_messages.
   */
  RedriveDeadLetters: grpc.handleUnaryCall<_wharf_v1_RedriveDeadLettersRequest__Output, _wharf_v1_RedriveDeadLettersResponse>;
  
  RemoveMember: grpc.handleUnaryCall<_wharf_v1_RemoveMemberRequest__Output, _wharf_v1_RemoveMemberResponse>;
  
  TransferLeadership: grpc.handleUnaryCall<_wharf_v1_TransferLeadershipRequest__Output, _wharf_v1_TransferLeadershipResponse>;
  
}

export interface AdminServiceDefinition extends grpc.ServiceDefinition {
  AddMember: MethodDefinition<_wharf_v1_AddMemberRequest, _wharf_v1_AddMemberResponse, _wharf_v1_AddMemberRequest__Output, _wharf_v1_AddMemberResponse__Output>
  ApplyQueue: MethodDefinition<_wharf_v1_ApplyQueueRequest, _wharf_v1_ApplyQueueResponse, _wharf_v1_ApplyQueueRequest__Output, _wharf_v1_ApplyQueueResponse__Output>
  ApplyTopic: MethodDefinition<_wharf_v1_ApplyTopicRequest, _wharf_v1_ApplyTopicResponse, _wharf_v1_ApplyTopicRequest__Output, _wharf_v1_ApplyTopicResponse__Output>
  DeleteQueue: MethodDefinition<_wharf_v1_DeleteQueueRequest, _wharf_v1_DeleteQueueResponse, _wharf_v1_DeleteQueueRequest__Output, _wharf_v1_DeleteQueueResponse__Output>
  DeleteTopic: MethodDefinition<_wharf_v1_DeleteTopicRequest, _wharf_v1_DeleteTopicResponse, _wharf_v1_DeleteTopicRequest__Output, _wharf_v1_DeleteTopicResponse__Output>
  GetClusterStatus: MethodDefinition<_wharf_v1_GetClusterStatusRequest, _wharf_v1_GetClusterStatusResponse, _wharf_v1_GetClusterStatusRequest__Output, _wharf_v1_GetClusterStatusResponse__Output>
  GetQueue: MethodDefinition<_wharf_v1_GetQueueRequest, _wharf_v1_GetQueueResponse, _wharf_v1_GetQueueRequest__Output, _wharf_v1_GetQueueResponse__Output>
  GetTopic: MethodDefinition<_wharf_v1_GetTopicRequest, _wharf_v1_GetTopicResponse, _wharf_v1_GetTopicRequest__Output, _wharf_v1_GetTopicResponse__Output>
  ListQueues: MethodDefinition<_wharf_v1_ListQueuesRequest, _wharf_v1_ListQueuesResponse, _wharf_v1_ListQueuesRequest__Output, _wharf_v1_ListQueuesResponse__Output>
  ListTopics: MethodDefinition<_wharf_v1_ListTopicsRequest, _wharf_v1_ListTopicsResponse, _wharf_v1_ListTopicsRequest__Output, _wharf_v1_ListTopicsResponse__Output>
  RedriveDeadLetters: MethodDefinition<_wharf_v1_RedriveDeadLettersRequest, _wharf_v1_RedriveDeadLettersResponse, _wharf_v1_RedriveDeadLettersRequest__Output, _wharf_v1_RedriveDeadLettersResponse__Output>
  RemoveMember: MethodDefinition<_wharf_v1_RemoveMemberRequest, _wharf_v1_RemoveMemberResponse, _wharf_v1_RemoveMemberRequest__Output, _wharf_v1_RemoveMemberResponse__Output>
  TransferLeadership: MethodDefinition<_wharf_v1_TransferLeadershipRequest, _wharf_v1_TransferLeadershipResponse, _wharf_v1_TransferLeadershipRequest__Output, _wharf_v1_TransferLeadershipResponse__Output>
}
