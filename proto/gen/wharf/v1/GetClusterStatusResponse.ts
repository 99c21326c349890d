// Original file: wharf/v1/admin.proto

import type { Member as _wharf_v1_Member, Member__Output as _wharf_v1_Member__Output } from '../../wharf/v1/Member';
import type { Long } from '@grpc/proto-loader';

export interface GetClusterStatusResponse {
  'clusterId'?: (string);
  'members'?: (_wharf_v1_Member)[];
  'version'?: (string);
  'queues'?: (number);
  'topics'?: (number);
  'commitIndex'?: (number | string | Long);
  'appliedIndex'?: (number | string | Long);
}

export interface GetClusterStatusResponse__Output {
  'clusterId': (string);
  'members': (_wharf_v1_Member__Output)[];
  'version': (string);
  'queues': (number);
  'topics': (number);
  'commitIndex': (number);
  'appliedIndex': (number);
}
