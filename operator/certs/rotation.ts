// What to do with the webhook's certificate Secret, as a pure function of what the Secret holds
// (already parsed by ./x509.ts into plain facts) and the time: nothing, create everything, renew the
// serving certificate, or rotate the CA with an overlap. No I/O, no clock: the caller passes nowMs
// and carries the plan out (./webhook-certs.ts).
//
// The Secret holds a bundle of CAs (ca.crt, newest first, which is also the MutatingWebhook-
// Configuration's caBundle), the private key of the newest one (ca.key, "the signer") and the
// serving certificate and key (tls.crt, tls.key). A CA rotation never leaves the API server
// without trust in the certificate the webhook serves:
//   1. the signer has less than a third of its lifetime left: a new CA joins the bundle, in front;
//      the serving certificate stays (still signed by the old CA, which stays in the bundle);
//   2. once the new CA has been in the bundle for overlapMs (the API server reads the new caBundle
//      in seconds), the serving certificate is issued again, by the new CA;
//   3. once that certificate has been out for overlapMs (every replica reads the Secret through a
//      watch), the old CA leaves the bundle.
// The serving certificate is renewed when less than min(renewBeforeMs, a third of its lifetime)
// remains (the third keeps a certificate cut short by its CA's end from being renewed over and
// over), and at once when it is missing, unparsable, expired, not for the Service's DNS names, or
// signed by no CA of the bundle.

/** New certificates start this much before now, so a clock a little behind ours accepts them. */
export const BACKDATE_MS = 60_000;
/** The bundle never grows past this many CAs (rotations faster than overlaps end). */
export const BUNDLE_CAS_MAX = 4;

export interface CertFacts {
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  /** SHA-256 fingerprint: identifies the certificate. */
  readonly fingerprint: string;
}

export interface CaFacts extends CertFacts {
  /** basicConstraints CA:TRUE. */
  readonly isCa: boolean;
  /** ca.key is this certificate's private key. */
  readonly hasKey: boolean;
}

export interface ServingFacts extends CertFacts {
  readonly dnsNames: readonly string[];
  /** Fingerprint of the CA of the bundle that signed it; undefined: none of them did. */
  readonly issuerFingerprint: string | undefined;
  /** tls.key is this certificate's private key. */
  readonly keyMatches: boolean;
}

export type Parsed<T> =
  | { readonly state: 'ok'; readonly value: T }
  | { readonly state: 'missing' }
  | { readonly state: 'corrupt'; readonly why: string };

/** What the Secret holds; `exists: false` when there is no Secret at all. */
export interface ObservedSecret {
  readonly exists: boolean;
  /** ca.crt, in the Secret's order. */
  readonly cas: Parsed<readonly CaFacts[]>;
  readonly serving: Parsed<ServingFacts>;
}

export interface RotationSettings {
  readonly nowMs: number;
  /** The Service's names the serving certificate must carry. */
  readonly dnsNames: readonly string[];
  readonly servingValidityMs: number;
  readonly servingRenewBeforeMs: number;
  readonly caValidityMs: number;
  /** How long a new CA is trusted before it signs, and an old one kept after it stopped. */
  readonly overlapMs: number;
}

export interface Validity {
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
}

export type ServingReason =
  | 'missing'
  | 'corrupt'
  | 'key-mismatch'
  | 'expired'
  | 'not-yet-valid'
  | 'untrusted'
  | 'dns-names'
  | 'renewal'
  | 'new-ca';

export type CaReason = 'missing' | 'corrupt' | 'expired' | 'no-key' | 'rotation';

/** One thing the plan changes, for logs and Events. */
export type CertChange =
  | { readonly kind: 'ca-created'; readonly reason: CaReason }
  | { readonly kind: 'serving-issued'; readonly reason: ServingReason }
  | { readonly kind: 'ca-retired'; readonly fingerprint: string; readonly why: RetireReason };

/** invalid: expired, not yet valid or not a CA; superseded: the signer's certificate has been out
 * for overlapMs; bundle-full: more than BUNDLE_CAS_MAX. */
export type RetireReason = 'invalid' | 'superseded' | 'bundle-full';

/** A CA of the resulting bundle: an existing one (by fingerprint) or the one the plan creates. */
export type BundleEntry = { readonly kind: 'new' } | { readonly kind: 'existing'; readonly fingerprint: string };

export interface RotationPlan {
  /** Empty: the Secret stays as it is. */
  readonly changes: readonly CertChange[];
  /** A CA to create (it becomes the signer), or undefined: the current signer stays. */
  readonly newCa: Validity | undefined;
  /** A serving certificate to issue by the signer, or undefined: tls.crt/tls.key stay. */
  readonly newServing: (Validity & { readonly dnsNames: readonly string[] }) | undefined;
  /** ca.crt after the plan, signer first: also the webhook configuration's caBundle. */
  readonly bundle: readonly BundleEntry[];
  /** When to look again if nothing changes meanwhile (epoch ms). */
  readonly nextCheckAtMs: number;
}

const issuedAtMs = (c: CertFacts): number => c.notBeforeMs + BACKDATE_MS;
const lifetimeMs = (c: CertFacts): number => Math.max(0, c.notAfterMs - issuedAtMs(c));
/** A CA is replaced when a third of its lifetime is left. */
export const caRenewAtMs = (ca: CertFacts): number => ca.notAfterMs - lifetimeMs(ca) / 3;
export const servingRenewAtMs = (serving: CertFacts, renewBeforeMs: number): number =>
  serving.notAfterMs - Math.min(renewBeforeMs, lifetimeMs(serving) / 3);
const validAt = (c: CertFacts, nowMs: number): boolean => c.notBeforeMs <= nowMs && nowMs < c.notAfterMs;

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((name, i) => name === right[i]);
}

interface Signer {
  readonly entry: BundleEntry;
  readonly fingerprint: string | undefined;
  readonly notAfterMs: number;
  /** When it joined the bundle (for a new CA: now). */
  readonly trustedSinceMs: number;
}

export function planRotation(observed: ObservedSecret, s: RotationSettings): RotationPlan {
  if (!(s.servingRenewBeforeMs < s.servingValidityMs && s.servingValidityMs > 0 && s.caValidityMs > 0)) {
    throw new RangeError('needs 0 < renewBefore < validity and a positive CA validity');
  }
  const nowMs = s.nowMs;
  const changes: CertChange[] = [];
  const wakeups: number[] = [];
  const cas = observed.cas.state === 'ok' ? observed.cas.value : [];
  const usable = cas.filter((ca) => ca.isCa && validAt(ca, nowMs));
  for (const ca of cas) {
    if (!usable.includes(ca)) changes.push({ kind: 'ca-retired', fingerprint: ca.fingerprint, why: 'invalid' });
  }
  const current = usable.find((ca) => ca.hasKey);

  // The signer: the CA whose key we hold, or a new one.
  let signer: Signer;
  let newCa: Validity | undefined;
  const freshCa = (reason: CaReason): Signer => {
    newCa = { notBeforeMs: nowMs - BACKDATE_MS, notAfterMs: nowMs + s.caValidityMs };
    changes.push({ kind: 'ca-created', reason });
    wakeups.push(caRenewAtMs({ ...newCa, fingerprint: '' }));
    return { entry: { kind: 'new' }, fingerprint: undefined, notAfterMs: newCa.notAfterMs, trustedSinceMs: nowMs };
  };
  if (current === undefined) {
    const reason: CaReason =
      observed.cas.state !== 'ok'
        ? observed.cas.state
        : cas.some((ca) => ca.hasKey)
          ? 'expired'
          : cas.length === 0
            ? 'missing'
            : 'no-key';
    signer = freshCa(reason);
  } else if (nowMs >= caRenewAtMs(current)) {
    signer = freshCa('rotation');
  } else {
    signer = {
      entry: { kind: 'existing', fingerprint: current.fingerprint },
      fingerprint: current.fingerprint,
      notAfterMs: current.notAfterMs,
      trustedSinceMs: issuedAtMs(current),
    };
    wakeups.push(caRenewAtMs(current));
  }
  // CAs besides the signer that stay trusted for now (newest first, bounded).
  let others = usable.filter((ca) => ca.fingerprint !== signer.fingerprint).slice(0, BUNDLE_CAS_MAX - 1);
  for (const ca of usable) {
    if (ca.fingerprint !== signer.fingerprint && !others.includes(ca)) {
      changes.push({ kind: 'ca-retired', fingerprint: ca.fingerprint, why: 'bundle-full' });
    }
  }
  const trusted = new Set([signer.fingerprint, ...others.map((ca) => ca.fingerprint)]);

  // The serving certificate.
  const signerSettledAtMs = signer.trustedSinceMs + s.overlapMs;
  let reason: ServingReason | undefined;
  const serving = observed.serving.state === 'ok' ? observed.serving.value : undefined;
  if (observed.serving.state !== 'ok') reason = observed.serving.state;
  else if (serving === undefined || !serving.keyMatches)
    reason = 'key-mismatch'; // (undefined: never, for tsc)
  else if (nowMs >= serving.notAfterMs) reason = 'expired';
  else if (nowMs < serving.notBeforeMs) reason = 'not-yet-valid';
  else if (serving.issuerFingerprint === undefined || !trusted.has(serving.issuerFingerprint)) reason = 'untrusted';
  else if (!sameNames(serving.dnsNames, s.dnsNames)) reason = 'dns-names';
  else if (serving.issuerFingerprint !== signer.fingerprint) {
    // Signed by an older CA: move to the signer once the API server has trusted it for a while.
    if (nowMs >= signerSettledAtMs) reason = 'new-ca';
    else wakeups.push(signerSettledAtMs);
  } else if (nowMs >= servingRenewAtMs(serving, s.servingRenewBeforeMs)) reason = 'renewal';
  else wakeups.push(servingRenewAtMs(serving, s.servingRenewBeforeMs));
  let newServing: RotationPlan['newServing'];
  let servingIssuedAtMs: number;
  let servedBySigner: boolean;
  if (reason !== undefined) {
    newServing = {
      notBeforeMs: nowMs - BACKDATE_MS,
      notAfterMs: Math.min(nowMs + s.servingValidityMs, signer.notAfterMs),
      dnsNames: [...s.dnsNames],
    };
    changes.push({ kind: 'serving-issued', reason });
    wakeups.push(servingRenewAtMs({ ...newServing, fingerprint: '' }, s.servingRenewBeforeMs));
    servingIssuedAtMs = nowMs;
    servedBySigner = true;
  } else {
    servingIssuedAtMs = serving === undefined ? nowMs : issuedAtMs(serving);
    servedBySigner = serving?.issuerFingerprint === signer.fingerprint;
  }

  // Older CAs leave once the signer's certificate has been out for overlapMs.
  const oldRetireAtMs = servingIssuedAtMs + s.overlapMs;
  if (servedBySigner && nowMs >= oldRetireAtMs) {
    for (const ca of others) changes.push({ kind: 'ca-retired', fingerprint: ca.fingerprint, why: 'superseded' });
    others = [];
  } else if (others.length > 0) {
    wakeups.push(servedBySigner ? oldRetireAtMs : signerSettledAtMs);
  }
  for (const ca of others) wakeups.push(ca.notAfterMs);
  if (!observed.exists && changes.length === 0) throw new Error('unreachable: no Secret yet nothing to create');

  const future = wakeups.filter((t) => t > nowMs);
  return {
    changes,
    newCa,
    newServing,
    bundle: [signer.entry, ...others.map((ca): BundleEntry => ({ kind: 'existing', fingerprint: ca.fingerprint }))],
    nextCheckAtMs: future.length === 0 ? nowMs : Math.min(...future),
  };
}

/** The Service's DNS names, as the API server calls it (name.namespace.svc) and fully qualified. */
export function serviceDnsNames(service: string, namespace: string, clusterDomain: string): readonly string[] {
  return [`${service}.${namespace}.svc`, `${service}.${namespace}.svc.${clusterDomain}`];
}
