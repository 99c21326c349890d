// Original file: wharf/v1/admin.proto


export interface RemoveMemberRequest {
  'id'?: (string);
}

export interface RemoveMemberRequest__Output {
  'id': (string);
}
