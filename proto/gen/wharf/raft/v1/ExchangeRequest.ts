// Original file: wharf/raft/v1/raft.proto


export interface ExchangeRequest {
  'fromMember'?: (string);
  /**
   * Concatenated binary frames, one per Raft message, each tagged with its group.
   */
  'frames'?: (Buffer | Uint8Array | string);
}

export interface ExchangeRequest__Output {
  'fromMember': (string);
  /**
   * Concatenated binary frames, one per Raft message, each tagged with its group.
   */
  'frames': (Buffer);
}
