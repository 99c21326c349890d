// Original file: wharf/v1/admin.proto

import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';
import type { Long } from '@grpc/proto-loader';

export interface SubscriptionStatus {
  'name'?: (string);
  'depth'?: (number | string | Long);
  'inFlight'?: (number | string | Long);
  'consumers'?: (number);
  'oldestMessageAge'?: (_google_protobuf_Duration | null);
  'deadLettered'?: (number | string | Long);
  /**
   * Created at run time by a consumer; removed when its last consumer leaves.
   */
  'ephemeral'?: (boolean);
}

export interface SubscriptionStatus__Output {
  'name': (string);
  'depth': (number);
  'inFlight': (number);
  'consumers': (number);
  'oldestMessageAge': (_google_protobuf_Duration__Output | null);
  'deadLettered': (number);
  /**
   * Created at run time by a consumer; removed when its last consumer leaves.
   */
  'ephemeral': (boolean);
}
