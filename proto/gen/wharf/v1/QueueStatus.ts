// Original file: wharf/v1/admin.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';
import type { Long } from '@grpc/proto-loader';

export interface QueueStatus {
  'ready'?: (boolean);
  'leader'?: (string);
  'depth'?: (number | string | Long);
  'inFlight'?: (number | string | Long);
  'consumers'?: (number);
  'oldestMessageAge'?: (_google_protobuf_Duration | null);
  'deadLettered'?: (number | string | Long);
  'bytes'?: (number | string | Long);
  'delayed'?: (number | string | Long);
  'draining'?: (boolean);
}

export interface QueueStatus__Output {
  'ready': (boolean);
  'leader': (string);
  'depth': (number);
  'inFlight': (number);
  'consumers': (number);
  'oldestMessageAge': (_google_protobuf_Duration__Output | null);
  'deadLettered': (number);
  'bytes': (number);
  'delayed': (number);
  'draining': (boolean);
}
