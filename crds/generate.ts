// Writes the CRD YAML files in crds/ from the typed source (definitions.ts). Run after changing a
// schema: `node crds/generate.ts` (or `--check`: exit 1 if a committed file differs, write nothing).
import { readFileSync, writeFileSync } from 'node:fs';
import { crdFileName, crdYaml, customResourceDefinitions } from './crd.ts';

const dir = new URL('.', import.meta.url);
const check = process.argv.includes('--check');
let stale = 0;
for (const definition of customResourceDefinitions()) {
  const file = new URL(crdFileName(definition), dir);
  const text = crdYaml(definition);
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing: stale
  }
  if (current === text) continue;
  stale++;
  if (check) console.error(`crds/${crdFileName(definition)} is out of date: run node crds/generate.ts`);
  else {
    writeFileSync(file, text);
    console.log(`wrote crds/${crdFileName(definition)}`);
  }
}
if (check && stale > 0) process.exit(1);
