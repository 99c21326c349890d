// Original file: wharf/v1/admin.proto

import type { Queue as _wharf_v1_Queue, Queue__Output as _wharf_v1_Queue__Output } from '../../wharf/v1/Queue';

export interface GetQueueResponse {
  'queue'?: (_wharf_v1_Queue | null);
}

export interface GetQueueResponse__Output {
  'queue': (_wharf_v1_Queue__Output | null);
}
