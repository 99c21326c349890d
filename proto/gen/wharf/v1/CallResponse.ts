// Original file: wharf/v1/broker.proto

import type { Message as _wharf_v1_Message, Message__Output as _wharf_v1_Message__Output } from '../../wharf/v1/Message';

export interface CallResponse {
  'reply'?: (_wharf_v1_Message | null);
}

export interface CallResponse__Output {
  'reply': (_wharf_v1_Message__Output | null);
}
