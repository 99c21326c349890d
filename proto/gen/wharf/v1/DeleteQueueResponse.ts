// Original file: wharf/v1/admin.proto


export interface DeleteQueueResponse {
}

export interface DeleteQueueResponse__Output {
}
