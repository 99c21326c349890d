// Original file: wharf/v1/admin.proto

import type { Queue as _wharf_v1_Queue, Queue__Output as _wharf_v1_Queue__Output } from '../../wharf/v1/Queue';

export interface ListQueuesResponse {
  'queues'?: (_wharf_v1_Queue)[];
}

export interface ListQueuesResponse__Output {
  'queues': (_wharf_v1_Queue__Output)[];
}
