// The one error boundary: typed WharfErrors become their gRPC status with the message a person
// can act on; anything else is a bug, logged, and answered as INTERNAL without leaking a stack.
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { isWharfError, NotLeaderError, WharfError } from '../../common/errors.ts';
import { grpcCodeOf } from '../../common/grpc-status.ts';
import type { Logger } from '../../common/logger.ts';
import type { Failure } from '../engine/types.ts';

/** The trailer a follower sets to the leader's client address. */
export const LEADER_METADATA_KEY = 'wharf-leader';

export function toServiceError(error: unknown, logger: Logger, method: string): Partial<ServiceError> {
  if (error instanceof NotLeaderError && error.leaderHint !== undefined) {
    // A follower's refusal names the leader in a trailer too (the sidecar and clients follow it).
    const metadata = new Metadata();
    metadata.set(LEADER_METADATA_KEY, error.leaderHint);
    return { code: grpcCodeOf(error), details: error.message, metadata };
  }
  if (isWharfError(error)) return { code: grpcCodeOf(error), details: error.message };
  logger.error({ err: error, method }, 'unexpected error');
  return { code: status.INTERNAL, details: `internal error in ${method}; see the broker log` };
}

export function failureError(failure: Failure): WharfError {
  return new WharfError(failure.kind, failure.message);
}
