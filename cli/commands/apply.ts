// wharf apply -f FILE_OR_DIR ...: validates every document first (nothing is applied when any is
// invalid), then applies dead-letter queues, queues and topics in that order.
import type { WharfClient } from '../../client/client.ts';
import { loadResourceFiles } from '../../client/resource-files.ts';
import {
  applyOrder,
  queueToResource,
  type SkippedDocument,
  topicToResource,
  type WharfResource,
  type YamlObject,
} from '../../client/resources.ts';
import { plural } from '../format.ts';
import { type Io, printJson, UsageError } from '../io.ts';
import { type CommonOptions, withClient } from './common.ts';

export interface ApplyOptions extends CommonOptions {
  readonly filename?: readonly string[];
  readonly dryRun?: boolean;
}

export interface Applied {
  readonly resource: WharfResource;
  readonly stored: YamlObject;
}

/** Applies in dependency order; stops at the first rejection (the error names the resource). */
export async function applyResources(
  client: WharfClient,
  resources: readonly WharfResource[],
  onApplied: (applied: Applied) => void = () => {},
): Promise<Applied[]> {
  const done: Applied[] = [];
  for (const resource of applyOrder(resources)) {
    try {
      const stored =
        resource.kind === 'Queue'
          ? queueToResource(await client.applyQueue(resource.queue))
          : topicToResource(await client.applyTopic(resource.topic));
      const applied = { resource, stored };
      done.push(applied);
      onApplied(applied);
    } catch (error) {
      // Say which document the broker rejected, keeping the gRPC code and details.
      const where = `${resource.source.file} doc ${resource.source.document}`;
      if (error instanceof Error && 'details' in error && typeof error.details === 'string') {
        error.details = `${where}: ${resource.kind} ${resource.name}: ${error.details}`;
      }
      throw error;
    }
  }
  return done;
}

export function skippedLine(skipped: SkippedDocument): string {
  return `${skipped.source.file} doc ${skipped.source.document}: ${skipped.kind} ${skipped.name}: ${skipped.note}\n`;
}

export function appliedLine(resource: WharfResource): string {
  return `${resource.kind.toLowerCase()} ${resource.name} applied\n`;
}

export async function applyCommand(options: ApplyOptions, io: Io): Promise<void> {
  const paths = options.filename ?? [];
  if (paths.length === 0) throw new UsageError('give the files or directories to apply with -f');
  const loaded = await loadResourceFiles(paths);
  for (const skipped of loaded.skipped) io.err(skippedLine(skipped));
  if (options.dryRun) {
    if (options.json)
      printJson(
        io,
        loaded.resources.map((r) => ({ kind: r.kind, name: r.name, source: r.source })),
      );
    else {
      for (const r of applyOrder(loaded.resources)) io.out(`${r.kind.toLowerCase()} ${r.name} valid (dry run)\n`);
    }
    return;
  }
  const applied = await withClient(options, (client) =>
    applyResources(client, loaded.resources, (a) => {
      if (!options.json) io.out(appliedLine(a.resource));
    }),
  );
  if (options.json)
    printJson(
      io,
      applied.map((a) => a.stored),
    );
  else if (applied.length === 0) io.out(`nothing to apply in ${plural(loaded.files.length, 'file')}\n`);
}
