// The sidecar's one error boundary. A broker's answer (a grpc ServiceError) passes through with
// its code and message, so the app sees what the broker said; the sidecar's own typed errors map
// to their status; anything else is a bug, logged and answered as INTERNAL.
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { isServiceError } from '../client/unary.ts';
import { isWharfError } from '../common/errors.ts';
import { grpcCodeOf } from '../common/grpc-status.ts';
import type { Logger } from '../common/logger.ts';

export interface StatusLike {
  readonly code: status;
  readonly details: string;
}

export function statusOf(error: unknown, logger: Logger, method: string): StatusLike {
  if (isServiceError(error)) return { code: error.code, details: error.details };
  if (isWharfError(error)) return { code: grpcCodeOf(error), details: error.message };
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
