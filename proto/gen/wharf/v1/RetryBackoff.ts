// Original file: wharf/v1/admin.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';

export interface RetryBackoff {
  'min'?: (_google_protobuf_Duration | null);
  'max'?: (_google_protobuf_Duration | null);
}

export interface RetryBackoff__Output {
  'min': (_google_protobuf_Duration__Output | null);
  'max': (_google_protobuf_Duration__Output | null);
}
