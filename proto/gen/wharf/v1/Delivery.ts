// Original file: wharf/v1/broker.proto

import type { Message as _wharf_v1_Message, Message__Output as _wharf_v1_Message__Output } from '../../wharf/v1/Message';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';

export interface Delivery {
  'message'?: (_wharf_v1_Message | null);
  /**
   * Opaque handle for Ack, Nack and ExtendLease; valid for this delivery attempt only.
   */
  'receipt'?: (string);
  'attempt'?: (number);
  'leaseExpires'?: (_google_protobuf_Timestamp | null);
  'destination'?: (string);
  'subscription'?: (string);
}

export interface Delivery__Output {
  'message': (_wharf_v1_Message__Output | null);
  /**
   * Opaque handle for Ack, Nack and ExtendLease; valid for this delivery attempt only.
   */
  'receipt': (string);
  'attempt': (number);
  'leaseExpires': (_google_protobuf_Timestamp__Output | null);
  'destination': (string);
  'subscription': (string);
}
