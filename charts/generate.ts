// Writes the chart's generated files from their one source each, so they cannot drift:
//   charts/wharf/crds/*.yaml   the CRDs, identical to crds/*.yaml (generated from crds/definitions.ts)
//   charts/wharf/files/rbac.yaml   the operator's rules from operator/rbac.ts (OPERATOR_RULES), split
//                                  into cluster-wide rules and rules for its own namespace, and the
//                                  rules for an operator-managed webhook certificate
//                                  (webhookCertRules) and for the default WharfCluster's TLS
//                                  Secret (brokerTlsSecretRules), with the chart's object names as
//                                  template expressions (the chart renders the file with `tpl`)
// Run after changing either: `node charts/generate.ts` (or `--check`: exit 1 if a file differs).
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { crdFileName, crdYaml, customResourceDefinitions } from '../crds/crd.ts';
import { brokerTlsSecretRules, OPERATOR_RULES, type PolicyRule, webhookCertRules } from '../operator/rbac.ts';

const chart = new URL('./wharf/', import.meta.url);

/** Rules that only ever touch objects in the operator's own namespace (its leader-election Lease). */
export function isNamespaceRule(rule: PolicyRule): boolean {
  return rule.apiGroups?.length === 1 && rule.apiGroups[0] === 'coordination.k8s.io';
}

/** The chart's names of the webhook configuration and certificate Secret (templates/_helpers.tpl). */
export const CHART_WEBHOOK_CERT_NAMES = {
  configuration: '{{ include "wharf.webhookName" . }}',
  secret: '{{ include "wharf.webhookSecretName" . }}',
} as const;

/** The chart's name of the default WharfCluster's TLS Secret (templates/_helpers.tpl). */
export const CHART_DEFAULT_CLUSTER_TLS_SECRET = '{{ include "wharf.defaultClusterTlsSecretName" . }}';

export function rbacFile(): string {
  const clusterRules = OPERATOR_RULES.filter((r) => !isNamespaceRule(r));
  const namespaceRules = OPERATOR_RULES.filter(isNamespaceRule);
  const webhookCert = webhookCertRules(CHART_WEBHOOK_CERT_NAMES);
  return (
    '# Generated from operator/rbac.ts by `node charts/generate.ts`; do not edit. Rendered with `tpl`.\n' +
    stringify(
      {
        clusterRules,
        namespaceRules,
        webhookCertClusterRules: webhookCert.cluster,
        webhookCertNamespaceRules: webhookCert.namespace,
        brokerTlsNamespaceRules: brokerTlsSecretRules(CHART_DEFAULT_CLUSTER_TLS_SECRET),
      },
      { aliasDuplicateObjects: false },
    )
  );
}

/** Every generated file of the chart: path relative to charts/wharf/ → content. */
export function generatedFiles(): ReadonlyMap<string, string> {
  const files = new Map<string, string>();
  for (const definition of customResourceDefinitions()) {
    files.set(`crds/${crdFileName(definition)}`, crdYaml(definition));
  }
  files.set('files/rbac.yaml', rbacFile());
  return files;
}

function main(): void {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [path, text] of generatedFiles()) {
    const file = new URL(path, chart);
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // missing: stale
    }
    if (current === text) continue;
    stale++;
    if (check) console.error(`charts/wharf/${path} is out of date: run node charts/generate.ts`);
    else {
      writeFileSync(file, text);
      console.log(`wrote charts/wharf/${path}`);
    }
  }
  if (check && stale > 0) process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
