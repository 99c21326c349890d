// Defaults and bounds of Queue and Topic specs, in one table so the API, the CLI's docs and the
// operator's CRDs agree. Defaults are the safe choice: never drop a message silently (queues reject
// publishes when full rather than dropping, and keep messages until they are consumed).

export const QUEUE_DEFAULTS = {
  replicas: 3,
  ackDeadlineMs: 30_000,
  /** Without a dead-letter queue, messages are redelivered (with backoff) until acknowledged. */
  maxDeliveriesWithoutDlq: 0,
  /** With a dead-letter queue, a message goes there after this many deliveries. */
  maxDeliveriesWithDlq: 5,
  retryBackoffMinMs: 1_000,
  retryBackoffMaxMs: 300_000,
  dedupWindowMs: 120_000,
  retentionMaxAgeMs: 0,
  retentionMaxMessages: 10_000_000,
  retentionMaxBytes: 10 * 1024 ** 3,
  maxMessageBytes: 1024 ** 2,
} as const;

export const TOPIC_DEFAULTS = {
  partitions: 1,
  replicas: 3,
  retentionMaxAgeMs: 168 * 3_600_000,
  retentionMaxMessages: 0,
  retentionMaxBytes: 10 * 1024 ** 3,
  dedupWindowMs: 120_000,
  maxMessageBytes: 1024 ** 2,
} as const;

export const SPEC_LIMITS = {
  replicasMax: 7,
  partitionsMax: 256,
  ackDeadlineMsMin: 1_000,
  ackDeadlineMsMax: 12 * 3_600_000,
  maxDeliveriesMax: 1_000,
  retryBackoffMsMax: 24 * 3_600_000,
  dedupWindowMsMax: 24 * 3_600_000,
  /** The gRPC server takes requests up to 64 MiB; one message must leave room for its envelope. */
  maxMessageBytesMax: 16 * 1024 ** 2,
  subscriptionsMax: 64,
  filterLengthMax: 4_096,
  /** Longest wait of a long-poll Receive, and longest Call timeout. */
  waitMsMax: 300_000,
  receiveMessagesMax: 1_000,
  /** A message may be delayed by at most this much. */
  delayMsMax: 14 * 86_400_000,
  priorityMax: 9,
  headersMax: 64,
  headerBytesMax: 16 * 1024,
  batchRequestsMax: 10_000,
} as const;
