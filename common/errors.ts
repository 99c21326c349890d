// The one registry of expected failures. Each kind names the gRPC status it crosses the API
// boundary as; only WharfErrors are mapped to a status, anything else becomes INTERNAL with a
// log line. Pure module: no Node or gRPC imports, so the engine can use it.

export const ERROR_KINDS = {
  invalidArgument: 'INVALID_ARGUMENT',
  notFound: 'NOT_FOUND',
  alreadyExists: 'ALREADY_EXISTS',
  resourceExhausted: 'RESOURCE_EXHAUSTED',
  failedPrecondition: 'FAILED_PRECONDITION',
  unavailable: 'UNAVAILABLE',
  notLeader: 'UNAVAILABLE',
  deadlineExceeded: 'DEADLINE_EXCEEDED',
  cancelled: 'CANCELLED',
  unimplemented: 'UNIMPLEMENTED',
  compacted: 'OUT_OF_RANGE',
  corruptLog: 'DATA_LOSS',
  unauthenticated: 'UNAUTHENTICATED',
  permissionDenied: 'PERMISSION_DENIED',
} as const;

export type ErrorKind = keyof typeof ERROR_KINDS;
export type StatusName = (typeof ERROR_KINDS)[ErrorKind];

export class WharfError extends Error {
  override name = 'WharfError';
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
  get status(): StatusName {
    return ERROR_KINDS[this.kind];
  }
}

/** The contacted node does not lead the group; retry at `leaderHint` when known. */
export class NotLeaderError extends WharfError {
  override name = 'NotLeaderError';
  readonly leaderHint: string | undefined;
  constructor(message: string, leaderHint?: string) {
    super('notLeader', message);
    this.leaderHint = leaderHint;
  }
}

/** The requested log index was compacted away; read the snapshot instead. */
export class CompactedError extends WharfError {
  override name = 'CompactedError';
  constructor(index: number, firstIndex: number) {
    super('compacted', `log index ${index} was compacted (first index is ${firstIndex})`);
  }
}

/** A stored record failed its checksum (or is malformed) before the tail: never truncated away. */
export class CorruptLogError extends WharfError {
  override name = 'CorruptLogError';
  readonly file: string;
  readonly offset: number;
  constructor(file: string, offset: number, detail: string) {
    super('corruptLog', `corrupt record in ${file} at offset ${offset}: ${detail}`);
    this.file = file;
    this.offset = offset;
  }
}

export const invalidArgument = (message: string): WharfError => new WharfError('invalidArgument', message);
export const notFound = (message: string): WharfError => new WharfError('notFound', message);
export const resourceExhausted = (message: string): WharfError => new WharfError('resourceExhausted', message);
export const failedPrecondition = (message: string): WharfError => new WharfError('failedPrecondition', message);
export const unavailable = (message: string): WharfError => new WharfError('unavailable', message);
export const unimplemented = (message: string): WharfError => new WharfError('unimplemented', message);

export function isWharfError(error: unknown): error is WharfError {
  return error instanceof WharfError;
}
export const deadlineExceeded = (message: string): WharfError => new WharfError('deadlineExceeded', message);

/**
 * TLS files that cannot be used: missing, unreadable, not PEM, a key that does not belong to its
 * certificate, a certificate its CA bundle did not sign. `file` is the path at fault.
 */
export class TlsFilesError extends WharfError {
  override name = 'TlsFilesError';
  readonly file: string;
  constructor(file: string, message: string) {
    super('failedPrecondition', `${file}: ${message}`);
    this.file = file;
  }
}
