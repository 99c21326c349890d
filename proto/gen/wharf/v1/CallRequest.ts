// Original file: wharf/v1/broker.proto

import type { Message as _wharf_v1_Message, Message__Output as _wharf_v1_Message__Output } from '../../wharf/v1/Message';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';

export interface CallRequest {
  'destination'?: (string);
  'message'?: (_wharf_v1_Message | null);
  'timeout'?: (_google_protobuf_Duration | null);
}

export interface CallRequest__Output {
  'destination': (string);
  'message': (_wharf_v1_Message__Output | null);
  'timeout': (_google_protobuf_Duration__Output | null);
}
