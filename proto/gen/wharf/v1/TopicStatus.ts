// Original file: wharf/v1/admin.proto

import type { SubscriptionStatus as _wharf_v1_SubscriptionStatus, SubscriptionStatus__Output as _wharf_v1_SubscriptionStatus__Output } from '../../wharf/v1/SubscriptionStatus';
import type { Long } from '@grpc/proto-loader';

export interface TopicStatus {
  'ready'?: (boolean);
  'leader'?: (string);
  'messages'?: (number | string | Long);
  'bytes'?: (number | string | Long);
  'subscriptions'?: (_wharf_v1_SubscriptionStatus)[];
}

export interface TopicStatus__Output {
  'ready': (boolean);
  'leader': (string);
  'messages': (number);
  'bytes': (number);
  'subscriptions': (_wharf_v1_SubscriptionStatus__Output)[];
}
