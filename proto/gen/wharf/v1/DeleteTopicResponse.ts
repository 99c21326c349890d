// Original file: wharf/v1/admin.proto


export interface DeleteTopicResponse {
}

export interface DeleteTopicResponse__Output {
}
