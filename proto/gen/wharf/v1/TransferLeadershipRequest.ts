// Original file: wharf/v1/admin.proto


export interface TransferLeadershipRequest {
  /**
   * Empty lets the cluster choose.
   */
  'toMember'?: (string);
  /**
   * Empty transfers every group this member leads.
   */
  'fromMember'?: (string);
}

export interface TransferLeadershipRequest__Output {
  /**
   * Empty lets the cluster choose.
   */
  'toMember': (string);
  /**
   * Empty transfers every group this member leads.
   */
  'fromMember': (string);
}
