// Original file: wharf/v1/broker.proto

import type { Message as _wharf_v1_Message, Message__Output as _wharf_v1_Message__Output } from '../../wharf/v1/Message';

export interface PublishRequest {
  'destination'?: (string);
  'message'?: (_wharf_v1_Message | null);
  'requestId'?: (string);
}

export interface PublishRequest__Output {
  'destination': (string);
  'message': (_wharf_v1_Message__Output | null);
  'requestId': (string);
}
