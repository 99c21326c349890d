// wharf delete queue|topic NAME: the broker honours the resource's deletionPolicy.
import { type Io, printJson, UsageError } from '../io.ts';
import { type CommonOptions, destinationArg, withClient } from './common.ts';

export interface DeleteOptions extends CommonOptions {
  readonly namespace?: string;
}

export async function deleteCommand(kind: string, nameRaw: string, options: DeleteOptions, io: Io): Promise<void> {
  if (kind !== 'queue' && kind !== 'topic') throw new UsageError(`delete: "${kind}" is not queue or topic`);
  const name = destinationArg(nameRaw, options.namespace);
  await withClient(options, (client) => (kind === 'queue' ? client.deleteQueue(name) : client.deleteTopic(name)));
  if (options.json) printJson(io, { kind, name, deleted: true });
  else io.out(`${kind} ${name} deleted\n`);
}
