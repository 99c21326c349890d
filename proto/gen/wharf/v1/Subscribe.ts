// Original file: wharf/v1/broker.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';

export interface Subscribe {
  'destination'?: (string);
  'subscription'?: (string);
  'maxInFlight'?: (number);
  'ackDeadline'?: (_google_protobuf_Duration | null);
}

export interface Subscribe__Output {
  'destination': (string);
  'subscription': (string);
  'maxInFlight': (number);
  'ackDeadline': (_google_protobuf_Duration__Output | null);
}
