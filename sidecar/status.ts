// The sidecar's one error boundary. A broker's answer (a grpc ServiceError) passes through with
// its code and message, so the app sees what the broker said; the sidecar's own typed errors map
// to their status; anything else is a bug, logged and answered as INTERNAL.
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { isServiceError } from '../client/unary.ts';
import { isWharfError, type StatusName } from '../common/errors.ts';
import type { Logger } from '../common/logger.ts';

const CODES: Record<StatusName, status> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  UNAVAILABLE: status.UNAVAILABLE,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  CANCELLED: status.CANCELLED,
  UNIMPLEMENTED: status.UNIMPLEMENTED,
  OUT_OF_RANGE: status.OUT_OF_RANGE,
  DATA_LOSS: status.DATA_LOSS,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
};

export interface StatusLike {
  readonly code: status;
  readonly details: string;
}

export function statusOf(error: unknown, logger: Logger, method: string): StatusLike {
  if (isServiceError(error)) return { code: error.code, details: error.details };
  if (isWharfError(error)) return { code: CODES[error.status], details: error.message };
  logger.error({ err: error, method }, 'unexpected error');
  return { code: status.INTERNAL, details: `internal error in ${method}; see the sidecar log` };
}

export function toServiceError(s: StatusLike): Partial<ServiceError> {
  return { code: s.code, details: s.details, metadata: new Metadata() };
}

/** A ServiceError made by the sidecar itself (for per-request outcomes of a batch). */
export function makeServiceError(code: status, details: string): ServiceError {
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });
}
