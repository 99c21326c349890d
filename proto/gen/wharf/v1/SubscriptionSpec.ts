// Original file: wharf/v1/admin.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';
import type { RetryBackoff as _wharf_v1_RetryBackoff, RetryBackoff__Output as _wharf_v1_RetryBackoff__Output } from '../../wharf/v1/RetryBackoff';
import type { Ordering as _wharf_v1_Ordering, Ordering__Output as _wharf_v1_Ordering__Output } from '../../wharf/v1/Ordering';

export interface SubscriptionSpec {
  'name'?: (string);
  'ackDeadline'?: (_google_protobuf_Duration | null);
  'maxDeliveries'?: (number);
  'deadLetterQueue'?: (string);
  /**
   * Header filter such as "headers.type == 'invoice'"; empty takes every message.
   */
  'filter'?: (string);
  /**
   * "Earliest", "Latest" (default) or an RFC 3339 time.
   */
  'startAt'?: (string);
  'retryBackoff'?: (_wharf_v1_RetryBackoff | null);
  'ordering'?: (_wharf_v1_Ordering);
}

export interface SubscriptionSpec__Output {
  'name': (string);
  'ackDeadline': (_google_protobuf_Duration__Output | null);
  'maxDeliveries': (number);
  'deadLetterQueue': (string);
  /**
   * Header filter such as "headers.type == 'invoice'"; empty takes every message.
   */
  'filter': (string);
  /**
   * "Earliest", "Latest" (default) or an RFC 3339 time.
   */
  'startAt': (string);
  'retryBackoff': (_wharf_v1_RetryBackoff__Output | null);
  'ordering': (_wharf_v1_Ordering__Output);
}
