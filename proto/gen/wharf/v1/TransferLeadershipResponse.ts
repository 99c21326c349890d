// Original file: wharf/v1/admin.proto


export interface TransferLeadershipResponse {
}

export interface TransferLeadershipResponse__Output {
}
