// Original file: wharf/v1/admin.proto


export interface GetQueueRequest {
  'name'?: (string);
}

export interface GetQueueRequest__Output {
  'name': (string);
}
