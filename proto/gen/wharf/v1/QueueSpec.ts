// Original file: wharf/v1/admin.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';
import type { RetryBackoff as _wharf_v1_RetryBackoff, RetryBackoff__Output as _wharf_v1_RetryBackoff__Output } from '../../wharf/v1/RetryBackoff';
import type { Ordering as _wharf_v1_Ordering, Ordering__Output as _wharf_v1_Ordering__Output } from '../../wharf/v1/Ordering';
import type { Retention as _wharf_v1_Retention, Retention__Output as _wharf_v1_Retention__Output } from '../../wharf/v1/Retention';
import type { Overflow as _wharf_v1_Overflow, Overflow__Output as _wharf_v1_Overflow__Output } from '../../wharf/v1/Overflow';
import type { DeletionPolicy as _wharf_v1_DeletionPolicy, DeletionPolicy__Output as _wharf_v1_DeletionPolicy__Output } from '../../wharf/v1/DeletionPolicy';
import type { Long } from '@grpc/proto-loader';

/**
 * Mirrors the Queue resource's spec; unset fields take the documented defaults.
 */
export interface QueueSpec {
  'replicas'?: (number);
  'ackDeadline'?: (_google_protobuf_Duration | null);
  'maxDeliveries'?: (number);
  'deadLetterQueue'?: (string);
  'retryBackoff'?: (_wharf_v1_RetryBackoff | null);
  'ordering'?: (_wharf_v1_Ordering);
  'dedupWindow'?: (_google_protobuf_Duration | null);
  'retention'?: (_wharf_v1_Retention | null);
  'overflow'?: (_wharf_v1_Overflow);
  'maxMessageBytes'?: (number | string | Long);
  'deletionPolicy'?: (_wharf_v1_DeletionPolicy);
}

/**
 * Mirrors the Queue resource's spec; unset fields take the documented defaults.
 */
export interface QueueSpec__Output {
  'replicas': (number);
  'ackDeadline': (_google_protobuf_Duration__Output | null);
  'maxDeliveries': (number);
  'deadLetterQueue': (string);
  'retryBackoff': (_wharf_v1_RetryBackoff__Output | null);
  'ordering': (_wharf_v1_Ordering__Output);
  'dedupWindow': (_google_protobuf_Duration__Output | null);
  'retention': (_wharf_v1_Retention__Output | null);
  'overflow': (_wharf_v1_Overflow__Output);
  'maxMessageBytes': (number);
  'deletionPolicy': (_wharf_v1_DeletionPolicy__Output);
}
