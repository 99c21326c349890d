// Byte sizes as Kubernetes quantities ("10Gi", "1Mi", "500k", "1048576"). Pure module.
import { invalidArgument } from './errors.ts';

const SUFFIX: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

export function parseBytes(text: string | number, field = 'size'): number {
  if (typeof text === 'number') {
    if (!Number.isSafeInteger(text) || text < 0) throw invalidArgument(`${field}: ${text} is not a byte count`);
    return text;
  }
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(text.trim());
  if (match === null) throw invalidArgument(`${field}: "${text}" is not a size (write e.g. "1Mi", "10Gi", "4096")`);
  const bytes = Math.round(Number(match[1]) * (SUFFIX[match[2] ?? ''] ?? 1));
  if (!Number.isSafeInteger(bytes)) throw invalidArgument(`${field}: "${text}" is too large`);
  return bytes;
}

export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ['Ti', 1024 ** 4],
    ['Gi', 1024 ** 3],
    ['Mi', 1024 ** 2],
    ['Ki', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}
