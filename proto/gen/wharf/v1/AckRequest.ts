// Original file: wharf/v1/broker.proto


export interface AckRequest {
  'receipts'?: (string)[];
}

export interface AckRequest__Output {
  'receipts': (string)[];
}
