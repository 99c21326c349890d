// Original file: wharf/v1/admin.proto

import type { Member as _wharf_v1_Member, Member__Output as _wharf_v1_Member__Output } from '../../wharf/v1/Member';

export interface AddMemberResponse {
  'members'?: (_wharf_v1_Member)[];
}

export interface AddMemberResponse__Output {
  'members': (_wharf_v1_Member__Output)[];
}
