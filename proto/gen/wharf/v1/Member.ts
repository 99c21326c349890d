// Original file: wharf/v1/admin.proto


export interface Member {
  'id'?: (string);
  'address'?: (string);
  'voter'?: (boolean);
  'leader'?: (boolean);
  'healthy'?: (boolean);
}

export interface Member__Output {
  'id': (string);
  'address': (string);
  'voter': (boolean);
  'leader': (boolean);
  'healthy': (boolean);
}
