// `wharf crds-apply` in the image (the chart's pre-upgrade hook Job runs it): server-side applies
// the CustomResourceDefinitions this image was built with (crds/*.yaml) and waits until each is
// Established. Helm installs a chart's crds/ once and never upgrades them; this is how a chart
// upgrade brings changed CRDs. Needs only get and patch on the three wharf.dev CRDs.
//   node scripts/image-crds.ts [--dir DIR] [--kubeconfig FILE]     (default: in-cluster)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { createKubeClient } from '../operator/runtime/kube-client.ts';

export const FIELD_MANAGER = 'wharf-crds';
const ESTABLISHED_TIMEOUT_MS = 60_000;

interface Crd {
  metadata: { name: string };
  status?: { conditions?: { type: string; status: string }[] };
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const dir = flag('--dir') ?? fileURLToPath(new URL('../crds', import.meta.url));
  const kc = new KubeConfig();
  const kubeconfig = flag('--kubeconfig');
  if (kubeconfig === undefined) kc.loadFromDefault();
  else kc.loadFromFile(kubeconfig);
  const kube = createKubeClient(kc);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  if (files.length === 0) throw new Error(`no CRD files in ${dir}`);
  for (const file of files) {
    const crd = parse(readFileSync(join(dir, file), 'utf8')) as Crd;
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`;
    await kube.apply(path, crd, FIELD_MANAGER);
    const deadline = Date.now() + ESTABLISHED_TIMEOUT_MS;
    for (;;) {
      const current = await kube.get<Crd>(path);
      if (current?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline)
        throw new Error(`${crd.metadata.name} not Established after ${ESTABLISHED_TIMEOUT_MS} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
    process.stdout.write(`applied ${crd.metadata.name}\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`wharf crds-apply: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
