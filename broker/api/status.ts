// The one error boundary: typed WharfErrors become their gRPC status with the message a person
// can act on; anything else is a bug, logged, and answered as INTERNAL without leaking a stack.
import { type ServiceError, status } from '@grpc/grpc-js';
import { isWharfError, type StatusName, WharfError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { Failure } from '../engine/types.ts';

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

export function toServiceError(error: unknown, logger: Logger, method: string): Partial<ServiceError> {
  if (isWharfError(error)) return { code: CODES[error.status], details: error.message };
  logger.error({ err: error, method }, 'unexpected error');
  return { code: status.INTERNAL, details: `internal error in ${method}; see the broker log` };
}

export function failureError(failure: Failure): WharfError {
  return new WharfError(failure.kind, failure.message);
}
