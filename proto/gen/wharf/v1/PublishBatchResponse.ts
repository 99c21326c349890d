// Original file: wharf/v1/broker.proto

import type { PublishResponse as _wharf_v1_PublishResponse, PublishResponse__Output as _wharf_v1_PublishResponse__Output } from '../../wharf/v1/PublishResponse';

export interface PublishBatchResponse {
  'responses'?: (_wharf_v1_PublishResponse)[];
}

export interface PublishBatchResponse__Output {
  'responses': (_wharf_v1_PublishResponse__Output)[];
}
