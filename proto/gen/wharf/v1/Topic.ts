// Original file: wharf/v1/admin.proto

import type { TopicSpec as _wharf_v1_TopicSpec, TopicSpec__Output as _wharf_v1_TopicSpec__Output } from '../../wharf/v1/TopicSpec';
import type { TopicStatus as _wharf_v1_TopicStatus, TopicStatus__Output as _wharf_v1_TopicStatus__Output } from '../../wharf/v1/TopicStatus';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';

export interface Topic {
  'name'?: (string);
  'spec'?: (_wharf_v1_TopicSpec | null);
  'status'?: (_wharf_v1_TopicStatus | null);
  'createTime'?: (_google_protobuf_Timestamp | null);
}

export interface Topic__Output {
  'name': (string);
  'spec': (_wharf_v1_TopicSpec__Output | null);
  'status': (_wharf_v1_TopicStatus__Output | null);
  'createTime': (_google_protobuf_Timestamp__Output | null);
}
