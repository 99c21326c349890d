// Original file: wharf/v1/admin.proto

import type { Topic as _wharf_v1_Topic, Topic__Output as _wharf_v1_Topic__Output } from '../../wharf/v1/Topic';

export interface ListTopicsResponse {
  'topics'?: (_wharf_v1_Topic)[];
}

export interface ListTopicsResponse__Output {
  'topics': (_wharf_v1_Topic__Output)[];
}
