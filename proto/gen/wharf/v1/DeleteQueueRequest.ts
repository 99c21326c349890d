// Original file: wharf/v1/admin.proto


export interface DeleteQueueRequest {
  'name'?: (string);
}

export interface DeleteQueueRequest__Output {
  'name': (string);
}
