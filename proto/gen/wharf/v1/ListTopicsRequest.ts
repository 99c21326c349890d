// Original file: wharf/v1/admin.proto


export interface ListTopicsRequest {
  'namespace'?: (string);
}

export interface ListTopicsRequest__Output {
  'namespace': (string);
}
