// Original file: wharf/v1/admin.proto

export const Ordering = {
  ORDERING_UNSPECIFIED: 'ORDERING_UNSPECIFIED',
  ORDERING_NONE: 'ORDERING_NONE',
  /**
   * FIFO per message key, one message of a key in flight at a time.
   */
  ORDERING_PER_KEY: 'ORDERING_PER_KEY',
} as const;

export type Ordering =
  | 'ORDERING_UNSPECIFIED'
  | 0
  | 'ORDERING_NONE'
  | 1
  /**
   * FIFO per message key, one message of a key in flight at a time.
   */
  | 'ORDERING_PER_KEY'
  | 2

export type Ordering__Output = typeof Ordering[keyof typeof Ordering]
