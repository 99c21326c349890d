// Original file: wharf/v1/broker.proto

import type { Delivery as _wharf_v1_Delivery, Delivery__Output as _wharf_v1_Delivery__Output } from '../../wharf/v1/Delivery';
import type { SettleResult as _wharf_v1_SettleResult, SettleResult__Output as _wharf_v1_SettleResult__Output } from '../../wharf/v1/SettleResult';

export interface ConsumeResponse {
  'delivery'?: (_wharf_v1_Delivery | null);
  'settled'?: (_wharf_v1_SettleResult | null);
  'frame'?: "delivery"|"settled";
}

export interface ConsumeResponse__Output {
  'delivery'?: (_wharf_v1_Delivery__Output | null);
  'settled'?: (_wharf_v1_SettleResult__Output | null);
  'frame'?: "delivery"|"settled";
}
