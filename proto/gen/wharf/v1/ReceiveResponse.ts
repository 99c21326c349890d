// Original file: wharf/v1/broker.proto

import type { Delivery as _wharf_v1_Delivery, Delivery__Output as _wharf_v1_Delivery__Output } from '../../wharf/v1/Delivery';

export interface ReceiveResponse {
  'deliveries'?: (_wharf_v1_Delivery)[];
}

export interface ReceiveResponse__Output {
  'deliveries': (_wharf_v1_Delivery__Output)[];
}
