// Original file: wharf/v1/admin.proto


export interface GetClusterStatusRequest {
}

export interface GetClusterStatusRequest__Output {
}
