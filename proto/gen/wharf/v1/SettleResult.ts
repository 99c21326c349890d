// Original file: wharf/v1/broker.proto

import type { Outcome as _wharf_v1_Outcome, Outcome__Output as _wharf_v1_Outcome__Output } from '../../wharf/v1/Outcome';

export interface SettleResult {
  'receipt'?: (string);
  'outcome'?: (_wharf_v1_Outcome);
}

export interface SettleResult__Output {
  'receipt': (string);
  'outcome': (_wharf_v1_Outcome__Output);
}
