// Original file: wharf/v1/admin.proto

export const Overflow = {
  OVERFLOW_UNSPECIFIED: 'OVERFLOW_UNSPECIFIED',
  OVERFLOW_REJECT_PUBLISH: 'OVERFLOW_REJECT_PUBLISH',
  OVERFLOW_DROP_OLDEST: 'OVERFLOW_DROP_OLDEST',
} as const;

export type Overflow =
  | 'OVERFLOW_UNSPECIFIED'
  | 0
  | 'OVERFLOW_REJECT_PUBLISH'
  | 1
  | 'OVERFLOW_DROP_OLDEST'
  | 2

export type Overflow__Output = typeof Overflow[keyof typeof Overflow]
