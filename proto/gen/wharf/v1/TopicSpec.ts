// Original file: wharf/v1/admin.proto

import type { Retention as _wharf_v1_Retention, Retention__Output as _wharf_v1_Retention__Output } from '../../wharf/v1/Retention';
import type { SubscriptionSpec as _wharf_v1_SubscriptionSpec, SubscriptionSpec__Output as _wharf_v1_SubscriptionSpec__Output } from '../../wharf/v1/SubscriptionSpec';
import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';
import type { DeletionPolicy as _wharf_v1_DeletionPolicy, DeletionPolicy__Output as _wharf_v1_DeletionPolicy__Output } from '../../wharf/v1/DeletionPolicy';
import type { Long } from '@grpc/proto-loader';

export interface TopicSpec {
  'partitions'?: (number);
  'replicas'?: (number);
  'retention'?: (_wharf_v1_Retention | null);
  'subscriptions'?: (_wharf_v1_SubscriptionSpec)[];
  'dedupWindow'?: (_google_protobuf_Duration | null);
  'maxMessageBytes'?: (number | string | Long);
  'deletionPolicy'?: (_wharf_v1_DeletionPolicy);
}

export interface TopicSpec__Output {
  'partitions': (number);
  'replicas': (number);
  'retention': (_wharf_v1_Retention__Output | null);
  'subscriptions': (_wharf_v1_SubscriptionSpec__Output)[];
  'dedupWindow': (_google_protobuf_Duration__Output | null);
  'maxMessageBytes': (number);
  'deletionPolicy': (_wharf_v1_DeletionPolicy__Output);
}
