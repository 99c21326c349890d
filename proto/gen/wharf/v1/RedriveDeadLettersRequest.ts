// Original file: wharf/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface RedriveDeadLettersRequest {
  /**
   * The dead-letter queue, "<namespace>/<name>".
   */
  'deadLetterQueue'?: (string);
  /**
   * Zero moves every message.
   */
  'maxMessages'?: (number | string | Long);
}

export interface RedriveDeadLettersRequest__Output {
  /**
   * The dead-letter queue, "<namespace>/<name>".
   */
  'deadLetterQueue': (string);
  /**
   * Zero moves every message.
   */
  'maxMessages': (number);
}
