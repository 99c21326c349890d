// The client library's public surface.
export * from './client.ts';
export * from './proto.ts';
export { isServiceError, serviceError } from './unary.ts';
