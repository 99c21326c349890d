// `wharf crds`: prints the CustomResourceDefinitions of WharfCluster, Queue and Topic as one
// multi-document YAML stream, e.g. `wharf crds | kubectl apply --server-side -f -`.
import type { Command } from 'commander';
import { allCrdsYaml } from '../../crds/crd.ts';
import type { Io } from '../io.ts';

export function crdsCommand(io: Io): void {
  io.out(allCrdsYaml());
}

/** Registers `wharf crds` on the program. */
export function addCrdsCommand(program: Command, io: Io): void {
  program
    .command('crds')
    .description(
      'print the Kubernetes CRDs (WharfCluster, Queue, Topic): wharf crds | kubectl apply --server-side -f -',
    )
    .exitOverride()
    .action(() => crdsCommand(io));
}
