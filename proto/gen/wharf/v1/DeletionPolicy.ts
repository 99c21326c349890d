// Original file: wharf/v1/admin.proto

export const DeletionPolicy = {
  DELETION_POLICY_UNSPECIFIED: 'DELETION_POLICY_UNSPECIFIED',
  DELETION_POLICY_DELETE: 'DELETION_POLICY_DELETE',
  DELETION_POLICY_RETAIN: 'DELETION_POLICY_RETAIN',
  DELETION_POLICY_DRAIN: 'DELETION_POLICY_DRAIN',
} as const;

export type DeletionPolicy =
  | 'DELETION_POLICY_UNSPECIFIED'
  | 0
  | 'DELETION_POLICY_DELETE'
  | 1
  | 'DELETION_POLICY_RETAIN'
  | 2
  | 'DELETION_POLICY_DRAIN'
  | 3

export type DeletionPolicy__Output = typeof DeletionPolicy[keyof typeof DeletionPolicy]
