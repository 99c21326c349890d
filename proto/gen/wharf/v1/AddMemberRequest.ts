// Original file: wharf/v1/admin.proto


export interface AddMemberRequest {
  /**
   * The member's id (its --node-id; a StatefulSet pod name fits).
   */
  'id'?: (string);
  /**
   * Where it listens: "host:clientPort:peerPort", the form of the broker's --peers flag. The
   * member must be running with --join; it joins as a learner and becomes a voter once caught up.
   */
  'address'?: (string);
}

export interface AddMemberRequest__Output {
  /**
   * The member's id (its --node-id; a StatefulSet pod name fits).
   */
  'id': (string);
  /**
   * Where it listens: "host:clientPort:peerPort", the form of the broker's --peers flag. The
   * member must be running with --join; it joins as a learner and becomes a voter once caught up.
   */
  'address': (string);
}
