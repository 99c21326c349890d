// Original file: wharf/v1/admin.proto

import type { Topic as _wharf_v1_Topic, Topic__Output as _wharf_v1_Topic__Output } from '../../wharf/v1/Topic';

export interface GetTopicResponse {
  'topic'?: (_wharf_v1_Topic | null);
}

export interface GetTopicResponse__Output {
  'topic': (_wharf_v1_Topic__Output | null);
}
