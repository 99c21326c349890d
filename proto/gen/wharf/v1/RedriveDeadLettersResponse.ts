// Original file: wharf/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface RedriveDeadLettersResponse {
  'redriven'?: (number | string | Long);
}

export interface RedriveDeadLettersResponse__Output {
  'redriven': (number);
}
