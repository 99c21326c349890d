// Shared plumbing of the gRPC handlers: the context they run in, and the wrapper that turns an
// async function of a typed request into a grpc-js unary handler behind the one error boundary.
import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { WharfError } from '../../common/errors.ts';
import type { Logger } from '../../common/logger.ts';
import type { ApplyResult, Command, Failure } from '../engine/types.ts';
import type { Replica } from '../replica/replica.ts';
import type { ClusterView } from './cluster.ts';
import type { Dispatcher } from './dispatcher.ts';
import { toServiceError } from './status.ts';
import type { BrokerTracing } from './tracing.ts';

export interface ApiContext {
  readonly replica: Replica;
  readonly dispatcher: Dispatcher;
  readonly logger: Logger;
  /** Namespace for destinations written without one. */
  readonly defaultNamespace: string;
  readonly nodeId: string;
  readonly address: () => string;
  readonly version: string;
  /** The broker's own spans; undefined when tracing is off. */
  readonly tracing: BrokerTracing | undefined;
  /** Cluster mode: who leads and who the members are; undefined for a single-member broker. */
  readonly cluster?: ClusterView;
}

export function unary<Req, Res>(
  logger: Logger,
  method: string,
  handler: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    handler(call.request, call).then(
      (response) => callback(null, response),
      (error: unknown) => callback(toServiceError(error, logger, method)),
    );
  };
}

/** Proposes a command and narrows its result, turning an engine Failure into its WharfError. */
type Success = Exclude<ApplyResult, Failure>;

export async function proposeExpect<T extends Success['type']>(
  replica: Replica,
  command: Command,
  type: T,
): Promise<Extract<Success, { type: T }>> {
  const result = await replica.propose(command);
  if ('ok' in result) throw new WharfError(result.kind, result.message);
  if (result.type !== type) throw new Error(`expected a ${type} result for ${command.type}, got ${result.type}`);
  return result as Extract<Success, { type: T }>;
}
