// Original file: wharf/v1/broker.proto

import type { Subscribe as _wharf_v1_Subscribe, Subscribe__Output as _wharf_v1_Subscribe__Output } from '../../wharf/v1/Subscribe';
import type { Settle as _wharf_v1_Settle, Settle__Output as _wharf_v1_Settle__Output } from '../../wharf/v1/Settle';

export interface ConsumeRequest {
  'subscribe'?: (_wharf_v1_Subscribe | null);
  'ack'?: (_wharf_v1_Settle | null);
  'nack'?: (_wharf_v1_Settle | null);
  'extend'?: (_wharf_v1_Settle | null);
  /**
   * Grants this many more deliveries (added to max_in_flight's window).
   */
  'credit'?: (number);
  'frame'?: "subscribe"|"ack"|"nack"|"extend"|"credit";
}

export interface ConsumeRequest__Output {
  'subscribe'?: (_wharf_v1_Subscribe__Output | null);
  'ack'?: (_wharf_v1_Settle__Output | null);
  'nack'?: (_wharf_v1_Settle__Output | null);
  'extend'?: (_wharf_v1_Settle__Output | null);
  /**
   * Grants this many more deliveries (added to max_in_flight's window).
   */
  'credit'?: (number);
  'frame'?: "subscribe"|"ack"|"nack"|"extend"|"credit";
}
