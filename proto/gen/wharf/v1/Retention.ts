// Original file: wharf/v1/admin.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';
import type { Long } from '@grpc/proto-loader';

/**
 * Zero means "no limit" for every field.
 */
export interface Retention {
  'maxAge'?: (_google_protobuf_Duration | null);
  'maxMessages'?: (number | string | Long);
  'maxBytes'?: (number | string | Long);
}

/**
 * Zero means "no limit" for every field.
 */
export interface Retention__Output {
  'maxAge': (_google_protobuf_Duration__Output | null);
  'maxMessages': (number);
  'maxBytes': (number);
}
