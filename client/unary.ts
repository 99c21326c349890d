// Turns a grpc-js unary call into a promise with a deadline. Rejects with the grpc ServiceError
// itself, so callers keep its `code`, `details` and `metadata`.
import * as grpc from '@grpc/grpc-js';

export type StartUnary<T> = (options: grpc.CallOptions, callback: grpc.requestCallback<T>) => grpc.ClientUnaryCall;

export function unaryCall<T>(start: StartUnary<T>, deadlineMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start({ deadline: Date.now() + deadlineMs }, (error, value) => {
      if (error) reject(error);
      else if (value === undefined) reject(serviceError(grpc.status.INTERNAL, 'empty response'));
      else resolve(value);
    });
  });
}

/** A ServiceError made on the client side (stream ended early, settle timed out, ...). */
export function serviceError(code: grpc.status, details: string): grpc.ServiceError {
  const name = grpc.status[code] ?? String(code);
  return Object.assign(new Error(`${code} ${name}: ${details}`), {
    code,
    details,
    metadata: new grpc.Metadata(),
  });
}

export function isServiceError(error: unknown): error is grpc.ServiceError {
  return (
    error instanceof Error &&
    typeof (error as Partial<grpc.ServiceError>).code === 'number' &&
    typeof (error as Partial<grpc.ServiceError>).details === 'string'
  );
}
