// Original file: wharf/v1/broker.proto

import type { SettleResult as _wharf_v1_SettleResult, SettleResult__Output as _wharf_v1_SettleResult__Output } from '../../wharf/v1/SettleResult';

export interface NackResponse {
  'results'?: (_wharf_v1_SettleResult)[];
}

export interface NackResponse__Output {
  'results': (_wharf_v1_SettleResult__Output)[];
}
