// Original file: wharf/v1/broker.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';

export interface ReceiveRequest {
  'destination'?: (string);
  /**
   * Empty for a Queue.
   */
  'subscription'?: (string);
  'maxMessages'?: (number);
  'wait'?: (_google_protobuf_Duration | null);
  'ackDeadline'?: (_google_protobuf_Duration | null);
}

export interface ReceiveRequest__Output {
  'destination': (string);
  /**
   * Empty for a Queue.
   */
  'subscription': (string);
  'maxMessages': (number);
  'wait': (_google_protobuf_Duration__Output | null);
  'ackDeadline': (_google_protobuf_Duration__Output | null);
}
