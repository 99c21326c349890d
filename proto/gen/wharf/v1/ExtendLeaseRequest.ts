// Original file: wharf/v1/broker.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';

export interface ExtendLeaseRequest {
  'receipts'?: (string)[];
  'extension'?: (_google_protobuf_Duration | null);
}

export interface ExtendLeaseRequest__Output {
  'receipts': (string)[];
  'extension': (_google_protobuf_Duration__Output | null);
}
