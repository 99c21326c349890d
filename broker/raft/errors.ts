// Expected failures of the Raft core, typed so callers can map them (common/errors.ts registry).
import { type ErrorKind, WharfError } from '../../common/errors.ts';

export { NotLeaderError } from '../../common/errors.ts';

/**
 * A proposal or read was not accepted: too many uncommitted bytes (resourceExhausted), a
 * leadership transfer or conf change in progress (unavailable), or an invalid change.
 */
export class ProposalDroppedError extends WharfError {
  override name = 'ProposalDroppedError';
  constructor(kind: ErrorKind, message: string) {
    super(kind, message);
  }
}
