// Original file: wharf/v1/broker.proto

import type { Long } from '@grpc/proto-loader';

export interface PublishResponse {
  'requestId'?: (string);
  'messageId'?: (string);
  'sequence'?: (number | string | Long);
  'partition'?: (number);
  /**
   * True when the dedup_id was seen inside the window: the message was stored once, before.
   */
  'duplicate'?: (boolean);
}

export interface PublishResponse__Output {
  'requestId': (string);
  'messageId': (string);
  'sequence': (number);
  'partition': (number);
  /**
   * True when the dedup_id was seen inside the window: the message was stored once, before.
   */
  'duplicate': (boolean);
}
