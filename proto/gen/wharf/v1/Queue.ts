// Original file: wharf/v1/admin.proto

import type { QueueSpec as _wharf_v1_QueueSpec, QueueSpec__Output as _wharf_v1_QueueSpec__Output } from '../../wharf/v1/QueueSpec';
import type { QueueStatus as _wharf_v1_QueueStatus, QueueStatus__Output as _wharf_v1_QueueStatus__Output } from '../../wharf/v1/QueueStatus';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';

export interface Queue {
  /**
   * "<namespace>/<name>".
   */
  'name'?: (string);
  'spec'?: (_wharf_v1_QueueSpec | null);
  'status'?: (_wharf_v1_QueueStatus | null);
  'createTime'?: (_google_protobuf_Timestamp | null);
}

export interface Queue__Output {
  /**
   * "<namespace>/<name>".
   */
  'name': (string);
  'spec': (_wharf_v1_QueueSpec__Output | null);
  'status': (_wharf_v1_QueueStatus__Output | null);
  'createTime': (_google_protobuf_Timestamp__Output | null);
}
