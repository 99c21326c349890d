// Original file: wharf/v1/broker.proto

import type { PublishRequest as _wharf_v1_PublishRequest, PublishRequest__Output as _wharf_v1_PublishRequest__Output } from '../../wharf/v1/PublishRequest';

export interface PublishBatchRequest {
  'requests'?: (_wharf_v1_PublishRequest)[];
}

export interface PublishBatchRequest__Output {
  'requests': (_wharf_v1_PublishRequest__Output)[];
}
