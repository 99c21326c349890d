// Original file: wharf/v1/broker.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';

export interface NackRequest {
  'receipts'?: (string)[];
  'delay'?: (_google_protobuf_Duration | null);
  'deadLetter'?: (boolean);
  'reason'?: (string);
}

export interface NackRequest__Output {
  'receipts': (string)[];
  'delay': (_google_protobuf_Duration__Output | null);
  'deadLetter': (boolean);
  'reason': (string);
}
