// Every failure becomes one line a person can act on (several for invalid resource files, one per
// problem) and an exit status: 2 for bad usage, 1 for everything else.
import * as grpc from '@grpc/grpc-js';
import { ResourcePathError } from '../client/resource-files.ts';
import { ResourceError } from '../client/resources.ts';
import { isServiceError } from '../client/unary.ts';
import { isWharfError } from '../common/errors.ts';
import { CommandError, UsageError } from './io.ts';

export interface Explained {
  readonly message: string;
  readonly exitCode: number;
}

const CANNOT_CONNECT =
  /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|No connection established|failed to connect|Connection dropped/i;

/** A connection that failed in the TLS handshake (or a plaintext client at a TLS port). */
const TLS_FAILURE =
  /certificate|self[- ]signed|SSL|TLS|handshake|Hostname\/IP does not match|wrong version number|ERR_SSL|alert/i;

export function isTlsFailure(error: unknown): error is grpc.ServiceError {
  return isServiceError(error) && error.code === grpc.status.UNAVAILABLE && TLS_FAILURE.test(error.details);
}

export function isUnreachable(error: unknown): boolean {
  return isServiceError(error) && error.code === grpc.status.UNAVAILABLE && CANNOT_CONNECT.test(error.details);
}

export function explainError(error: unknown, address: string): Explained {
  if (error instanceof UsageError) return { message: `wharf: ${error.message}`, exitCode: 2 };
  if (error instanceof CommandError) return { message: `wharf: ${error.message}`, exitCode: 1 };
  if (error instanceof ResourceError) return { message: error.message, exitCode: 1 };
  if (error instanceof ResourcePathError) return { message: `wharf: ${error.message}`, exitCode: 1 };
  if (isTlsFailure(error)) {
    return {
      message: `wharf: TLS to ${address} failed (${error.details}): check --tls-ca and --tls-server-name`,
      exitCode: 1,
    };
  }
  if (isUnreachable(error)) {
    return { message: `wharf: cannot reach ${address}: is \`npm start\` running?`, exitCode: 1 };
  }
  if (isServiceError(error)) {
    const name = grpc.status[error.code] ?? `code ${error.code}`;
    if (error.code === grpc.status.DEADLINE_EXCEEDED && error.details === 'Deadline exceeded') {
      return { message: `wharf: DEADLINE_EXCEEDED: no answer from ${address} in time`, exitCode: 1 };
    }
    return { message: `wharf: ${name}: ${error.details}`, exitCode: 1 };
  }
  if (isWharfError(error)) return { message: `wharf: ${error.status}: ${error.message}`, exitCode: 1 };
  const message = error instanceof Error ? error.message : String(error);
  return { message: `wharf: ${message}`, exitCode: 1 };
}
