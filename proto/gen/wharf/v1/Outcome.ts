// Original file: wharf/v1/broker.proto

export const Outcome = {
  OUTCOME_UNSPECIFIED: 'OUTCOME_UNSPECIFIED',
  OUTCOME_OK: 'OUTCOME_OK',
  /**
   * The lease ran out before the settle arrived; the message was or will be redelivered.
   */
  OUTCOME_EXPIRED: 'OUTCOME_EXPIRED',
  /**
   * No such receipt: already settled, or never issued.
   */
  OUTCOME_UNKNOWN: 'OUTCOME_UNKNOWN',
} as const;

export type Outcome =
  | 'OUTCOME_UNSPECIFIED'
  | 0
  | 'OUTCOME_OK'
  | 1
  /**
   * The lease ran out before the settle arrived; the message was or will be redelivered.
   */
  | 'OUTCOME_EXPIRED'
  | 2
  /**
   * No such receipt: already settled, or never issued.
   */
  | 'OUTCOME_UNKNOWN'
  | 3

export type Outcome__Output = typeof Outcome[keyof typeof Outcome]
