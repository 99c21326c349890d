// docs/configuration.md is what charts/reference.ts generates from the schemas and sources, so
// the configuration reference cannot drift from the code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SIDECAR_OPTIONS } from '../operator/webhook/annotations.ts';
import { REFERENCE_FILE, referenceMarkdown } from './reference.ts';

describe('docs/configuration.md', () => {
  const text = referenceMarkdown();

  it('is up to date (run node charts/reference.ts)', () => {
    expect(readFileSync(REFERENCE_FILE, 'utf8')).toBe(text);
  });

  it('covers every chart value, custom resource, annotation and the variables the chart sets', () => {
    for (const key of ['`image.repository`', '`webhook.certManager.enabled`', '`defaultCluster.replicas`']) {
      expect(text).toContain(`| ${key} |`);
    }
    for (const kind of ['### WharfCluster', '### Queue', '### Topic']) expect(text).toContain(kind);
    for (const field of ['`spec.deadLetterQueue`', '`spec.subscriptions[].filter`', '`spec.storage.size`']) {
      expect(text).toContain(`| ${field} |`);
    }
    for (const option of Object.values(SIDECAR_OPTIONS)) expect(text).toContain(`| \`${option.annotation}\` |`);
    const deployment = readFileSync(new URL('./wharf/templates/deployment.yaml', import.meta.url), 'utf8');
    for (const [name] of deployment.matchAll(/\b(?:WHARF|OTEL)_[A-Z_]+\b/g)) expect(text).toContain(`| \`${name}\` |`);
  });
});
