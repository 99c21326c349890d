// Original file: wharf/raft/v1/raft.proto

import type { Long } from '@grpc/proto-loader';

export interface ExchangeResponse {
  /**
   * Highest batch sequence the receiver has taken in, for back-pressure.
   */
  'received'?: (number | string | Long);
}

export interface ExchangeResponse__Output {
  /**
   * Highest batch sequence the receiver has taken in, for back-pressure.
   */
  'received': (number);
}
