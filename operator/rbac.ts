// The API permissions the operator needs, as one ClusterRole: what the Helm chart installs and
// what the Kubernetes test runs the operator with (so a missing rule fails a test, not a user).
// When the operator manages the webhook's certificate it needs a few more, limited by name as far
// as Kubernetes allows: webhookCertRules. For each WharfCluster with TLS on, it reads ca.crt of the
// cluster's TLS Secret to verify the brokers: brokerTlsSecretRules, in the cluster's namespace.

export interface PolicyRule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly verbs: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

const WATCH = ['get', 'list', 'watch'] as const;
const OWN = [...WATCH, 'create', 'patch', 'update'] as const;

export const OPERATOR_RULES: readonly PolicyRule[] = [
  { apiGroups: ['wharf.dev'], resources: ['wharfclusters', 'queues', 'topics'], verbs: [...WATCH, 'patch', 'update'] },
  {
    apiGroups: ['wharf.dev'],
    resources: ['wharfclusters/status', 'queues/status', 'topics/status'],
    verbs: ['get', 'patch', 'update'],
  },
  // Setting ownerReferences with blockOwnerDeletion needs update on the owner's finalizers.
  { apiGroups: ['wharf.dev'], resources: ['wharfclusters/finalizers'], verbs: ['update'] },
  { apiGroups: ['apps'], resources: ['statefulsets'], verbs: OWN },
  { apiGroups: [''], resources: ['services', 'configmaps'], verbs: OWN },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: OWN },
  { apiGroups: [''], resources: ['pods'], verbs: WATCH },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
  { nonResourceURLs: ['/version'], verbs: ['get'] },
];

export interface WebhookCertNames {
  /** The MutatingWebhookConfiguration whose caBundle the operator keeps. */
  readonly configuration: string;
  /** The Secret holding the certificates, in the operator's namespace. */
  readonly secret: string;
}

/**
 * For an operator-managed webhook certificate: the one webhook configuration (cluster-scoped; list
 * and watch work by name through a metadata.name field selector), and, in a Role of the operator's
 * namespace, the one Secret. `create` cannot be limited by name (the object has none yet when the
 * request is authorized), so it is a rule of its own, still only in that namespace.
 */
export function webhookCertRules(names: WebhookCertNames): {
  readonly cluster: readonly PolicyRule[];
  readonly namespace: readonly PolicyRule[];
} {
  return {
    cluster: [
      {
        apiGroups: ['admissionregistration.k8s.io'],
        resources: ['mutatingwebhookconfigurations'],
        resourceNames: [names.configuration],
        verbs: ['get', 'list', 'watch', 'patch'],
      },
    ],
    namespace: [
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: [names.secret],
        verbs: ['get', 'list', 'watch', 'update'],
      },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
    ],
  };
}

/**
 * For a WharfCluster with spec.tls on, in its namespace: `get` on its TLS Secret, by name. The
 * operator keeps only ca.crt (public) from it, to verify the brokers' Admin API and to give
 * injected sidecars. Never cluster-wide: a Role per cluster (the chart makes the default
 * cluster's), so the operator cannot read other Secrets.
 */
export function brokerTlsSecretRules(secretName: string): readonly PolicyRule[] {
  return [{ apiGroups: [''], resources: ['secrets'], resourceNames: [secretName], verbs: ['get'] }];
}

export function operatorClusterRole(name = 'wharf-operator'): Record<string, unknown> {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: { 'app.kubernetes.io/name': 'wharf', 'app.kubernetes.io/component': 'operator' } },
    rules: OPERATOR_RULES,
  };
}
