// Original file: wharf/v1/admin.proto


export interface ListQueuesRequest {
  /**
   * Empty lists every namespace.
   */
  'namespace'?: (string);
}

export interface ListQueuesRequest__Output {
  /**
   * Empty lists every namespace.
   */
  'namespace': (string);
}
