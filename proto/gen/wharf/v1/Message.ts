// Original file: wharf/v1/broker.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';
import type { Long } from '@grpc/proto-loader';

export interface Message {
  /**
   * Assigned by the broker when empty.
   */
  'id'?: (string);
  'payload'?: (Buffer | Uint8Array | string);
  /**
   * W3C trace context travels as the "traceparent" header.
   */
  'headers'?: ({[key: string]: string});
  /**
   * Ordering key; picks the partition of a topic.
   */
  'key'?: (string);
  /**
   * Idempotency key inside the destination's dedup window.
   */
  'dedupId'?: (string);
  /**
   * 0 (default) .. 9 (highest).
   */
  'priority'?: (number);
  'delay'?: (_google_protobuf_Duration | null);
  'ttl'?: (_google_protobuf_Duration | null);
  'replyTo'?: (string);
  'correlationId'?: (string);
  /**
   * Set by the broker.
   */
  'publishTime'?: (_google_protobuf_Timestamp | null);
  'sequence'?: (number | string | Long);
  'partition'?: (number);
}

export interface Message__Output {
  /**
   * Assigned by the broker when empty.
   */
  'id': (string);
  'payload': (Buffer);
  /**
   * W3C trace context travels as the "traceparent" header.
   */
  'headers': ({[key: string]: string});
  /**
   * Ordering key; picks the partition of a topic.
   */
  'key': (string);
  /**
   * Idempotency key inside the destination's dedup window.
   */
  'dedupId': (string);
  /**
   * 0 (default) .. 9 (highest).
   */
  'priority': (number);
  'delay': (_google_protobuf_Duration__Output | null);
  'ttl': (_google_protobuf_Duration__Output | null);
  'replyTo': (string);
  'correlationId': (string);
  /**
   * Set by the broker.
   */
  'publishTime': (_google_protobuf_Timestamp__Output | null);
  'sequence': (number);
  'partition': (number);
}
