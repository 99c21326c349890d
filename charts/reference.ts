// Writes docs/configuration.md, the configuration reference, from the sources that define each
// setting, so it cannot drift (charts/reference.test.ts fails when the file differs):
//   chart values            charts/wharf/values.schema.json (descriptions) + values.yaml (defaults)
//   WharfCluster/Queue/Topic crds/*.yaml (the CRDs' OpenAPI schemas)
//   sidecar annotations     operator/webhook/annotations.ts (SIDECAR_OPTIONS)
//   environment variables   the commands' option declarations and every WHARF_*/OTEL_* name the
//                           broker, sidecar, operator and CLI read
// `node charts/reference.ts` writes it; `--check` exits 1 when it is out of date.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { INJECT_LABEL, SIDECAR_OPTIONS } from '../operator/webhook/annotations.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const REFERENCE_FILE = join(ROOT, 'docs', 'configuration.md');

type Json = Record<string, unknown>;

const cell = (text: unknown): string =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');
const code = (value: unknown): string => (value === undefined ? '' : `\`${cell(JSON.stringify(value))}\``);

function schemaType(node: Json): string {
  if (typeof node.type === 'string') {
    if (node.type === 'array' && typeof (node.items as Json | undefined)?.type === 'string') {
      return `${(node.items as Json).type}[]`;
    }
    return node.type;
  }
  if (Array.isArray(node.anyOf)) return (node.anyOf as Json[]).map(schemaType).join(' \\| ');
  if (node['x-kubernetes-int-or-string'] === true) return 'int or string';
  return 'any';
}

function constraints(node: Json): string {
  const parts: string[] = [];
  if (Array.isArray(node.enum)) parts.push(`one of ${(node.enum as unknown[]).map((v) => code(v)).join(', ')}`);
  if (node.minimum !== undefined) parts.push(`≥ ${node.minimum}`);
  if (node.maximum !== undefined) parts.push(`≤ ${node.maximum}`);
  if (node.maxLength !== undefined) parts.push(`≤ ${node.maxLength} chars`);
  if (typeof node.pattern === 'string') parts.push(`pattern \`${cell(node.pattern)}\``);
  return parts.join('; ');
}

function valuesSection(): string {
  const chart = join(ROOT, 'charts', 'wharf');
  const schema = JSON.parse(readFileSync(join(chart, 'values.schema.json'), 'utf8')) as Json;
  const defaults = parse(readFileSync(join(chart, 'values.yaml'), 'utf8')) as Json;
  const rows: string[] = [];
  const walk = (node: Json, value: unknown, path: string): void => {
    const properties = node.properties as Record<string, Json> | undefined;
    if (properties === undefined || node.type !== 'object') {
      rows.push(
        `| \`${path}\` | ${schemaType(node)} | ${code(value)} | ${cell(node.description)} | ${constraints(node)} |`,
      );
      return;
    }
    for (const [key, child] of Object.entries(properties)) {
      if (path === '' && key === 'global') continue;
      const childValue = value !== null && typeof value === 'object' ? (value as Json)[key] : undefined;
      walk(child, childValue, path === '' ? key : `${path}.${key}`);
    }
  };
  walk(schema, defaults, '');
  return [
    '## Chart values (`charts/wharf`)',
    '',
    'Set with `helm install wharf charts/wharf -f my-values.yaml` or `--set key=value`. Helm checks every',
    'value against `values.schema.json` before rendering anything: an unknown key, a misspelt enum or an',
    'out-of-range number fails the install with the key named.',
    '',
    '| Key | Type | Default | Description | Allowed |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

function crdSection(): string {
  const out: string[] = ['## Custom resources (`wharf.dev/v1alpha1`)', ''];
  const files = readdirSync(join(ROOT, 'crds'))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  for (const file of files) {
    const crd = parse(readFileSync(join(ROOT, 'crds', file), 'utf8')) as Json;
    const spec = crd.spec as Json;
    const names = spec.names as Json;
    const version = (spec.versions as Json[])[0] as Json;
    const root = (version.schema as Json).openAPIV3Schema as Json;
    out.push(`### ${names.kind}`, '');
    if (typeof root.description === 'string') out.push(cell(root.description), '');
    const shortNames = (names.shortNames as string[] | undefined) ?? [];
    out.push(
      `\`kubectl get ${names.plural}\`${shortNames.length > 0 ? ` (short: ${shortNames.map((s) => `\`${s}\``).join(', ')})` : ''}; scope ${spec.scope}. From \`crds/${file}\`.`,
      '',
      '| Field | Type | Default | Description | Allowed |',
      '| --- | --- | --- | --- | --- |',
    );
    const walk = (node: Json, path: string): void => {
      const properties = node.properties as Record<string, Json> | undefined;
      const items = node.items as Json | undefined;
      if (path !== '') {
        out.push(
          `| \`${path}\` | ${schemaType(node)} | ${code(node.default)} | ${cell(node.description)} | ${constraints(node)} |`,
        );
      }
      if (properties !== undefined) {
        for (const [key, child] of Object.entries(properties)) {
          if (path === '' && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
          walk(child, path === '' ? key : `${path}.${key}`);
        }
      } else if (items?.properties !== undefined) {
        for (const [key, child] of Object.entries(items.properties as Record<string, Json>)) {
          walk(child, `${path}[].${key}`);
        }
      }
    };
    walk(root, '');
    out.push('');
  }
  return out.join('\n');
}

function annotationsSection(): string {
  return [
    '## Sidecar injection (pod label and annotations)',
    '',
    `A pod labelled \`${INJECT_LABEL}: "true"\` gets the \`wharf-sidecar\` container from the webhook, and each`,
    'of its containers gets `WHARF_ADDR=127.0.0.1:<port>` unless it sets one. These annotations tune the',
    'sidecar; a value that cannot be used makes the webhook refuse the pod with a message naming it.',
    '',
    '| Annotation | Description |',
    '| --- | --- |',
    ...Object.values(SIDECAR_OPTIONS).map((o) => `| \`${o.annotation}\` | ${cell(o.description)} |`),
    '',
  ].join('\n');
}

/** Each `.option('--flag …', 'description', …)` of a source file with the variable names it mentions. */
function optionsOf(text: string): { flag: string; description: string; names: string[] }[] {
  const options: { flag: string; description: string; names: string[] }[] = [];
  const chunks = text.split('.option(').slice(1);
  for (const raw of chunks) {
    const chunk = raw.split(/\.(?:option|action|parse|addOption)\(|\n\s*\n/)[0] ?? '';
    const strings = [...chunk.matchAll(/'([^']*)'|`([^`]*)`/g)].map((m) => m[1] ?? m[2] ?? '');
    const [flag, description] = strings;
    if (flag === undefined || !flag.startsWith('-')) continue;
    options.push({ flag, description: description ?? '', names: [...new Set(chunk.match(ENV_NAME) ?? [])] });
  }
  return options;
}

const ENV_NAME = /\b(?:WHARF|OTEL)_[A-Z0-9_]+\b|\bPOD_NAME(?:SPACE)?\b/g;

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) files.push(...sourceFiles(rel));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && entry.name !== 'testing.ts') {
      files.push(rel);
    }
  }
  return files.sort();
}

/** What a variable that no flag sets is for, where a reader would otherwise have to guess. */
const VARIABLE_NOTES: Readonly<Record<string, string>> = {
  WHARF_EXIT_WITH_STDIN:
    'internal: `wharf dev` sets it to 1 for the brokers it runs, which then stop when it dies (their stdin closes); not meant to be set by hand',
  WHARF_TLS_CA_PEM:
    'sidecar: the CA bundle of the brokers itself (PEM), instead of a `--tls-ca` file; the injecting webhook sets it when the cluster has TLS on',
};

function environmentSection(): string {
  // [component, source roots, how its flags are spelt on the image's command line]
  const components: [string, string[], string][] = [
    ['broker', ['broker'], 'wharf broker'],
    ['sidecar', ['sidecar'], 'wharf sidecar'],
    ['operator', ['operator', 'cli/commands/operator.ts'], 'wharf operator'],
    ['CLI', ['cli'], 'wharf …'],
    ['common', ['common'], ''],
  ];
  const readers = new Map<string, Set<string>>();
  const flags = new Map<string, Set<string>>();
  for (const [component, roots, command] of components) {
    const files = roots.flatMap((r) => (r.endsWith('.ts') ? [r] : sourceFiles(r)));
    for (const file of files) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const name of (text.match(ENV_NAME) ?? []).filter((n) => !n.endsWith('_'))) {
        if (!readers.has(name)) readers.set(name, new Set());
        readers.get(name)?.add(component);
      }
      for (const option of optionsOf(text)) {
        for (const name of option.names) {
          if (!flags.has(name)) flags.set(name, new Set());
          const description = cell(option.description.replace(/\$\{(?:[^{}]|\{[^{}]*\})*\}/g, '…'));
          flags.get(name)?.add(`\`${command} ${option.flag.split(/[ ,]/)[0]}\` ${description}`);
        }
      }
    }
  }
  const rows = [...readers.keys()]
    .sort()
    .map(
      (name) =>
        `| \`${name}\` | ${[...(readers.get(name) ?? [])].join(', ')} | ${[...(flags.get(name) ?? []), ...(VARIABLE_NOTES[name] === undefined ? [] : [cell(VARIABLE_NOTES[name])])].join('<br>')} |`,
    );
  return [
    '## Environment variables',
    '',
    'Every variable named in the sources of the broker, sidecar, operator and CLI (read there, or set',
    'by the operator for the brokers and sidecars it runs), and the flag that sets the same thing where',
    'there is one (a flag wins over its variable). In Kubernetes the operator sets the brokers’ and',
    'sidecars’ variables itself and the chart sets the operator’s; they matter when running by hand.',
    '',
    '| Variable | Used by | Flag |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

export function referenceMarkdown(): string {
  return [
    '<!-- Generated by `node charts/reference.ts` from the schemas and sources named below; do not edit. -->',
    '# Wharf configuration reference',
    '',
    'Generated from the sources that define each setting, and checked by a test, so it matches the code.',
    'Installing and first steps: [install.md](install.md).',
    '',
    valuesSection(),
    crdSection(),
    annotationsSection(),
    environmentSection(),
  ].join('\n');
}

function main(): void {
  const text = referenceMarkdown();
  let current = '';
  try {
    current = readFileSync(REFERENCE_FILE, 'utf8');
  } catch {
    // missing
  }
  if (process.argv.includes('--check')) {
    if (current !== text) {
      console.error('docs/configuration.md is out of date: run node charts/reference.ts');
      process.exit(1);
    }
    return;
  }
  if (current !== text) {
    writeFileSync(REFERENCE_FILE, text);
    console.log('wrote docs/configuration.md');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
