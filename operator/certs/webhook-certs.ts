// The operator-managed webhook certificate at run time.
//
// Every replica serves the webhook, so every replica watches the one certificate Secret through the
// API (a field selector on its name) and hands tls.crt/tls.key to the webhook server in memory: a
// new certificate is served seconds after it is written, and a replica starts even before the
// Secret exists (it is not ready until it has a certificate). A mounted Secret would lag a minute
// or more behind (kubelet sync), which the CA overlap would have to cover, and a pod would not
// start until the Secret existed.
//
// Only the leader writes. lead() plans with ./rotation.ts on start, when the Secret or the
// MutatingWebhookConfiguration changes, at the time the plan names, and at least every recheckMs;
// it carries the plan out (./x509.ts), writes the Secret with optimistic concurrency
// (resourceVersion; a conflict means another writer won: read again) and keeps every webhook of the
// configuration that calls our Service at the bundle as caBundle (merge patch with the
// configuration's resourceVersion as precondition). The Secret is owned by the configuration, so
// uninstalling the chart also removes it. Creations, renewals and rotations are logged and recorded
// as Events on the Secret.
import {
  type KubeConfig,
  type KubernetesListObject,
  ListWatch,
  type V1OwnerReference,
  Watch,
} from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.ts';
import type { ManagedWebhookCert } from '../config.ts';
import type { OperatorMetrics } from '../metrics.ts';
import type { EventRecorder } from '../reconcile/events.ts';
import { ResilientInformer } from '../runtime/informer.ts';
import { isConflict, type KubeClient } from '../runtime/kube-client.ts';
import { delay, type Timers } from '../runtime/timers.ts';
import type { RunningWebhook } from '../webhook/server.ts';
import { type CertChange, planRotation, serviceDnsNames } from './rotation.ts';
import {
  CA_BUNDLE_KEY,
  CERT_KEY,
  carryOut,
  describeBundle,
  inspectSecret,
  KEY_KEY,
  type SecretContents,
} from './x509.ts';

const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 60_000;
/** Passes in a row that still change something before the leader slows down (a bug, not load). */
const PASSES_CHANGING_MAX = 5;
const MWC_API = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';

interface Metadata {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: V1OwnerReference[];
}

interface Secret {
  apiVersion?: string;
  kind?: string;
  metadata: Metadata;
  type?: string;
  data?: Record<string, string>;
}

interface WebhookEntry {
  name: string;
  clientConfig?: { caBundle?: string; service?: { name?: string; namespace?: string } };
  [key: string]: unknown;
}

interface WebhookConfiguration {
  apiVersion?: string;
  kind?: string;
  metadata: Metadata;
  webhooks?: WebhookEntry[];
}

export interface WebhookCertDeps {
  readonly kube: KubeClient;
  readonly kubeConfig: KubeConfig;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly events: EventRecorder;
  readonly metrics: OperatorMetrics;
  readonly config: ManagedWebhookCert;
  readonly clusterDomain: string;
  readonly webhook: RunningWebhook;
}

const decode = (data: Record<string, string> | undefined): SecretContents => {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(data ?? {})) out[key] = Buffer.from(value, 'base64').toString('utf8');
  return out;
};
const encode = (contents: SecretContents): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(contents)) out[key] = Buffer.from(value, 'utf8').toString('base64');
  return out;
};

function note(change: CertChange): { reason: string; note: string; type: 'Normal' | 'Warning' } {
  switch (change.kind) {
    case 'ca-created':
      return change.reason === 'rotation'
        ? {
            reason: 'CARotationStarted',
            note: 'A new CA joined the webhook caBundle; it signs once trusted.',
            type: 'Normal',
          }
        : change.reason === 'missing'
          ? { reason: 'CACreated', note: 'Created the webhook CA.', type: 'Normal' }
          : { reason: 'CAReplaced', note: `Made a new webhook CA: the old one was ${change.reason}.`, type: 'Warning' };
    case 'serving-issued': {
      const why: Record<typeof change.reason, string> = {
        missing: 'there was none',
        corrupt: 'the old one could not be read',
        'key-mismatch': 'tls.key did not match it',
        expired: 'the old one had expired',
        'not-yet-valid': 'the old one was not valid yet',
        untrusted: 'no CA of the bundle signed the old one',
        'dns-names': 'the Service names changed',
        renewal: 'the old one neared its end',
        'new-ca': 'the new CA is trusted now',
      };
      const routine = change.reason === 'missing' || change.reason === 'renewal' || change.reason === 'new-ca';
      return {
        reason: change.reason === 'new-ca' ? 'CARotated' : 'CertificateIssued',
        note: `Issued the webhook serving certificate: ${why[change.reason]}.`,
        type: routine ? 'Normal' : 'Warning',
      };
    }
    case 'ca-retired':
      return {
        reason: 'CARetired',
        note: `Removed a CA from the webhook caBundle (${change.why}).`,
        type: 'Normal',
      };
  }
}

export class WebhookCertificates {
  readonly #d: WebhookCertDeps;
  readonly #secretPath: string;
  readonly #secrets: ResilientInformer<Secret>;
  #wake: (() => void) | undefined;
  /** Something changed since the leader's last pass began. */
  #dirty = false;
  #loaded = '';

  constructor(deps: WebhookCertDeps) {
    this.#d = deps;
    const { config } = deps;
    const collection = `/api/v1/namespaces/${encodeURIComponent(config.namespace)}/secrets`;
    this.#secretPath = `${collection}/${encodeURIComponent(config.secretName)}`;
    this.#secrets = this.#informer<Secret>(collection, config.secretName, (_type, secret) => {
      this.#load(secret);
      this.#changed();
    });
  }

  /** Starts watching the Secret; the webhook serves its certificate from the first list on. */
  async start(): Promise<void> {
    await this.#secrets.start();
  }

  async stop(): Promise<void> {
    await this.#secrets.stop();
  }

  /** The leader's loop: keeps the Secret and the caBundle current until `signal` aborts. */
  async lead(signal: AbortSignal): Promise<void> {
    const { logger, timers, config } = this.#d;
    const configurations = this.#informer<WebhookConfiguration>(MWC_API, config.configurationName, () =>
      this.#changed(),
    );
    await configurations.start();
    logger.info(
      { secret: `${config.namespace}/${config.secretName}`, configuration: config.configurationName },
      'managing the webhook certificate',
    );
    let failures = 0;
    let changing = 0;
    try {
      while (!signal.aborted) {
        let nextAtMs: number;
        this.#dirty = false;
        try {
          const outcome = await this.#pass();
          failures = 0;
          changing = outcome.changed ? changing + 1 : 0;
          if (changing > PASSES_CHANGING_MAX) {
            logger.error({ passes: changing }, 'the webhook certificate keeps changing; slowing down');
            nextAtMs = timers.wallMs() + RETRY_MAX_MS;
          } else nextAtMs = outcome.changed ? timers.wallMs() : outcome.nextAtMs;
        } catch (error) {
          failures++;
          const retryMs = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(failures - 1, 10));
          if (isConflict(error)) logger.debug({ err: error }, 'webhook certificate: conflict; reading again');
          else logger.warn({ err: error, retryMs }, 'webhook certificate: check failed; will retry');
          nextAtMs = timers.wallMs() + (isConflict(error) ? 0 : retryMs);
        }
        await this.#sleep(nextAtMs - timers.wallMs(), signal);
      }
    } finally {
      this.#wake = undefined;
      await configurations.stop();
    }
  }

  /** One look: plan, write the Secret if the plan says so, keep the caBundle. */
  async #pass(): Promise<{ changed: boolean; nextAtMs: number }> {
    const { kube, timers, logger, config } = this.#d;
    const nowMs = timers.wallMs();
    const configuration = await kube.get<WebhookConfiguration>(
      `${MWC_API}/${encodeURIComponent(config.configurationName)}`,
    );
    const secret = await kube.get<Secret>(this.#secretPath);
    const contents = secret === undefined ? undefined : decode(secret.data);
    const inspected = inspectSecret(contents);
    const plan = planRotation(inspected.observed, {
      nowMs,
      dnsNames: serviceDnsNames(config.serviceName, config.namespace, this.#d.clusterDomain),
      servingValidityMs: config.validityMs,
      servingRenewBeforeMs: config.renewBeforeMs,
      caValidityMs: config.caValidityMs,
      overlapMs: config.caOverlapMs,
    });
    let current = contents;
    let written: Secret | undefined;
    if (plan.changes.length > 0) {
      const next = await carryOut(plan, contents, inspected, `${config.serviceName}-ca@${Math.floor(nowMs / 1000)}`);
      written = await this.#write(secret, next, configuration);
      current = next;
      const bundle = describeBundle(next[CA_BUNDLE_KEY] ?? '');
      for (const change of plan.changes) {
        const { reason, note: text, type } = note(change);
        logger.info({ change, bundle }, `webhook certificate: ${text}`);
        await this.#d.events.record(
          { apiVersion: 'v1', kind: 'Secret', metadata: written.metadata },
          type,
          reason,
          text,
        );
      }
      // Serve it here at once (the watch brings it to the other replicas, and here too).
      this.#load(written);
    }
    if (configuration === undefined) {
      logger.warn({ configuration: config.configurationName }, 'webhook configuration not found; will look again');
    } else {
      await this.#keepCaBundle(configuration, current?.[CA_BUNDLE_KEY] ?? '');
    }
    return {
      changed: written !== undefined,
      nextAtMs: Math.min(plan.nextCheckAtMs, nowMs + config.recheckMs),
    };
  }

  async #write(existing: Secret | undefined, contents: SecretContents, owner: WebhookConfiguration | undefined) {
    const { kube, config } = this.#d;
    const ownerReferences =
      owner?.metadata.uid === undefined
        ? existing?.metadata.ownerReferences
        : [
            {
              apiVersion: 'admissionregistration.k8s.io/v1',
              kind: 'MutatingWebhookConfiguration',
              name: owner.metadata.name,
              uid: owner.metadata.uid,
            },
          ];
    const body: Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        ...(existing?.metadata ?? { name: config.secretName, namespace: config.namespace }),
        labels: {
          ...existing?.metadata.labels,
          'app.kubernetes.io/component': 'operator',
          'app.kubernetes.io/managed-by': 'wharf-operator',
        },
        ...(ownerReferences === undefined ? {} : { ownerReferences }),
      },
      type: 'kubernetes.io/tls',
      data: encode(contents),
    };
    if (existing === undefined) {
      return kube.create<Secret>(`/api/v1/namespaces/${encodeURIComponent(config.namespace)}/secrets`, body);
    }
    if (existing.type !== undefined && existing.type !== 'kubernetes.io/tls') {
      throw new Error(
        `Secret ${config.namespace}/${config.secretName} has type ${existing.type}, not kubernetes.io/tls (the type cannot change): delete it`,
      );
    }
    return kube.replace<Secret>(this.#secretPath, body); // carries resourceVersion: 409 if someone wrote meanwhile
  }

  async #keepCaBundle(configuration: WebhookConfiguration, bundlePem: string): Promise<void> {
    const { kube, logger, config } = this.#d;
    const caBundle = Buffer.from(bundlePem, 'utf8').toString('base64');
    const webhooks = configuration.webhooks ?? [];
    const ours = (w: WebhookEntry) =>
      w.clientConfig?.service?.name === config.serviceName && w.clientConfig.service.namespace === config.namespace;
    if (!webhooks.some(ours)) {
      logger.warn(
        { configuration: config.configurationName, service: `${config.namespace}/${config.serviceName}` },
        'no webhook of the configuration calls our Service; caBundle left alone',
      );
      return;
    }
    if (bundlePem === '' || webhooks.every((w) => !ours(w) || w.clientConfig?.caBundle === caBundle)) return;
    // The whole list (a merge patch replaces lists), guarded by resourceVersion: a concurrent change
    // (e.g. helm upgrade) makes this a 409 and the next pass starts from it.
    await kube.mergePatch(`${MWC_API}/${encodeURIComponent(config.configurationName)}`, {
      metadata: { resourceVersion: configuration.metadata.resourceVersion },
      webhooks: webhooks.map((w) => (ours(w) ? { ...w, clientConfig: { ...w.clientConfig, caBundle } } : w)),
    });
    logger.info(
      { configuration: config.configurationName, bundle: describeBundle(bundlePem) },
      'webhook caBundle updated',
    );
  }

  /** Serves the Secret's certificate here (every replica), once per distinct pair. */
  #load(secret: Secret): void {
    const { logger, metrics, webhook } = this.#d;
    const contents = decode(secret.data);
    const cert = contents[CERT_KEY] ?? '';
    const key = contents[KEY_KEY] ?? '';
    if (cert === '' || key === '' || `${cert}\n${key}` === this.#loaded) return;
    try {
      webhook.setCertificate({ cert, key });
      this.#loaded = `${cert}\n${key}`;
      const [served] = describeBundle(cert);
      const [newestCa] = describeBundle(contents[CA_BUNDLE_KEY] ?? '');
      if (served !== undefined) {
        metrics.webhookCertExpiry.set({ certificate: 'serving' }, Date.parse(served.notAfter) / 1000);
      }
      if (newestCa !== undefined) {
        metrics.webhookCertExpiry.set({ certificate: 'ca' }, Date.parse(newestCa.notAfter) / 1000);
      }
      logger.info({ subject: served?.subject, notAfter: served?.notAfter }, 'webhook certificate loaded');
    } catch (error) {
      logger.warn({ err: error }, 'webhook certificate in the Secret not usable; keeping the one served');
    }
  }

  #informer<T extends { metadata: Metadata }>(
    path: string,
    name: string,
    onChange: (type: 'add' | 'update' | 'delete', object: T) => void,
  ): ResilientInformer<T> {
    const { kube, kubeConfig, timers, logger } = this.#d;
    const fieldSelector = `metadata.name=${name}`;
    const list = () =>
      kube.list<T>(`${path}?fieldSelector=${encodeURIComponent(fieldSelector)}`) as unknown as Promise<
        KubernetesListObject<T>
      >;
    return new ResilientInformer<T>({
      path,
      list,
      timers,
      logger,
      onChange,
      make: () => new ListWatch<T>(path, new Watch(kubeConfig), list, false, undefined, fieldSelector),
    });
  }

  #changed(): void {
    this.#dirty = true;
    this.#wake?.();
  }

  async #sleep(delayMs: number, signal: AbortSignal): Promise<void> {
    if (delayMs <= 0 || signal.aborted || this.#dirty) return;
    const woken = new AbortController();
    this.#wake = () => woken.abort();
    const onAbort = () => woken.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await delay(this.#d.timers, delayMs, woken.signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#wake = undefined;
    }
  }
}
