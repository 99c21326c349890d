// planRotation with injected times: a missing, corrupt or half-valid Secret, expiry and renewal,
// a renamed Service, and the CA rotation's overlap; then a simulated quarter century of checks at
// the times the plans ask for (late by a random delay), with the invariants the API server needs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BACKDATE_MS,
  BUNDLE_CAS_MAX,
  type CaFacts,
  type ObservedSecret,
  planRotation,
  type RotationPlan,
  type RotationSettings,
  type ServingFacts,
  serviceDnsNames,
} from './rotation.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;
const T0_MS = 1_800_000_000_000;
const NAMES = serviceDnsNames('wharf-webhook', 'wharf-system', 'cluster.local');

const settings = (nowMs: number, over: Partial<RotationSettings> = {}): RotationSettings => ({
  nowMs,
  dnsNames: NAMES,
  servingValidityMs: YEAR_MS,
  servingRenewBeforeMs: 30 * DAY_MS,
  caValidityMs: 10 * YEAR_MS,
  overlapMs: 10 * MINUTE_MS,
  ...over,
});

/** What ./webhook-certs.ts does with a plan, on facts instead of PEM (fingerprints from a counter). */
class FakeSecret {
  cas: CaFacts[] = [];
  serving: ServingFacts | undefined;
  exists = false;
  #cas = 0;
  #servings = 0;

  observe(): ObservedSecret {
    return {
      exists: this.exists,
      cas: this.cas.length === 0 ? { state: 'missing' } : { state: 'ok', value: this.cas },
      serving: this.serving === undefined ? { state: 'missing' } : { state: 'ok', value: this.serving },
    };
  }

  apply(plan: RotationPlan): void {
    let cas = this.cas;
    if (plan.newCa !== undefined) {
      cas = [
        { ...plan.newCa, fingerprint: `ca-${++this.#cas}`, isCa: true, hasKey: true },
        ...cas.map((ca) => ({ ...ca, hasKey: false })),
      ];
    }
    const byFingerprint = new Map(cas.map((ca) => [ca.fingerprint, ca]));
    this.cas = plan.bundle.map((entry) => {
      const ca = entry.kind === 'new' ? cas[0] : byFingerprint.get(entry.fingerprint);
      if (ca === undefined) throw new Error(`bundle names an unknown CA: ${JSON.stringify(entry)}`);
      return ca;
    });
    const signer = this.cas[0];
    if (plan.newServing !== undefined) {
      this.serving = {
        ...plan.newServing,
        fingerprint: `tls-${++this.#servings}`,
        issuerFingerprint: signer?.fingerprint,
        keyMatches: true,
      };
    } else if (this.serving !== undefined) {
      const issuer = this.serving.issuerFingerprint;
      const still = this.cas.some((ca) => ca.fingerprint === issuer);
      this.serving = { ...this.serving, issuerFingerprint: still ? issuer : undefined };
    }
    this.exists = true;
  }

  step(nowMs: number, over: Partial<RotationSettings> = {}): RotationPlan {
    const plan = planRotation(this.observe(), settings(nowMs, over));
    this.apply(plan);
    return plan;
  }
}

const kinds = (plan: RotationPlan) =>
  plan.changes.map((c) => (c.kind === 'ca-retired' ? `${c.kind}:${c.why}` : `${c.kind}:${c.reason}`));

describe('planRotation', () => {
  it('no Secret: creates a CA and a serving certificate for the Service, then rests until renewal', () => {
    const secret = new FakeSecret();
    const plan = secret.step(T0_MS);
    expect(kinds(plan)).toEqual(['ca-created:missing', 'serving-issued:missing']);
    expect(plan.newCa).toEqual({ notBeforeMs: T0_MS - BACKDATE_MS, notAfterMs: T0_MS + 10 * YEAR_MS });
    expect(plan.newServing).toEqual({
      notBeforeMs: T0_MS - BACKDATE_MS,
      notAfterMs: T0_MS + YEAR_MS,
      dnsNames: ['wharf-webhook.wharf-system.svc', 'wharf-webhook.wharf-system.svc.cluster.local'],
    });
    expect(plan.bundle).toEqual([{ kind: 'new' }]);
    const again = secret.step(T0_MS + 1000);
    expect(again.changes).toEqual([]);
    expect(again.newCa).toBeUndefined();
    expect(again.newServing).toBeUndefined();
    expect(again.bundle).toEqual([{ kind: 'existing', fingerprint: 'ca-1' }]);
    expect(again.nextCheckAtMs).toBe(T0_MS + YEAR_MS - 30 * DAY_MS);
  });

  it('renews the serving certificate when less than renewBefore remains, with the same CA', () => {
    const secret = new FakeSecret();
    secret.step(T0_MS);
    const renewAtMs = T0_MS + YEAR_MS - 30 * DAY_MS;
    expect(secret.step(renewAtMs - 1).changes).toEqual([]);
    const plan = secret.step(renewAtMs);
    expect(kinds(plan)).toEqual(['serving-issued:renewal']);
    expect(plan.newCa).toBeUndefined();
    expect(secret.serving?.issuerFingerprint).toBe('ca-1');
    expect(secret.serving?.notAfterMs).toBe(renewAtMs + YEAR_MS);
  });

  it('an expired serving certificate is replaced at once', () => {
    const secret = new FakeSecret();
    secret.step(T0_MS);
    expect(kinds(secret.step(T0_MS + 2 * YEAR_MS))).toEqual(['serving-issued:expired']);
  });

  it('a short certificate is renewed with a third of its life left, not over and over', () => {
    // 30 days of validity and a 30-day renewBefore: renewBefore alone would renew it at once.
    const over = { servingValidityMs: 30 * DAY_MS, servingRenewBeforeMs: 29 * DAY_MS };
    const secret = new FakeSecret();
    secret.step(T0_MS, over);
    const next = secret.step(T0_MS + 1, over);
    expect(next.changes).toEqual([]);
    expect(next.nextCheckAtMs).toBe(T0_MS + 20 * DAY_MS);
    expect(kinds(secret.step(T0_MS + 20 * DAY_MS, over))).toEqual(['serving-issued:renewal']);
  });

  it('missing or unparsable parts: only what is broken is made again', () => {
    const secret = new FakeSecret();
    secret.step(T0_MS);
    const good = secret.observe();
    const nowMs = T0_MS + DAY_MS;
    const corruptServing = planRotation({ ...good, serving: { state: 'corrupt', why: 'bad PEM' } }, settings(nowMs));
    expect(kinds(corruptServing)).toEqual(['serving-issued:corrupt']);
    expect(corruptServing.bundle).toEqual([{ kind: 'existing', fingerprint: 'ca-1' }]);
    const missingServing = planRotation({ ...good, serving: { state: 'missing' } }, settings(nowMs));
    expect(kinds(missingServing)).toEqual(['serving-issued:missing']);
    const wrongKey = planRotation(
      { ...good, serving: { state: 'ok', value: { ...(secret.serving as ServingFacts), keyMatches: false } } },
      settings(nowMs),
    );
    expect(kinds(wrongKey)).toEqual(['serving-issued:key-mismatch']);
    const corruptCa = planRotation({ ...good, cas: { state: 'corrupt', why: 'bad PEM' } }, settings(nowMs));
    expect(kinds(corruptCa)).toEqual(['ca-created:corrupt', 'serving-issued:untrusted']);
    expect(corruptCa.bundle).toEqual([{ kind: 'new' }]);
  });

  it('a lost CA key: a new CA, and the served certificate stays trusted until the overlap is over', () => {
    const secret = new FakeSecret();
    secret.step(T0_MS);
    secret.cas = secret.cas.map((ca) => ({ ...ca, hasKey: false }));
    const t1Ms = T0_MS + DAY_MS;
    const plan = secret.step(t1Ms);
    expect(kinds(plan)).toEqual(['ca-created:no-key']);
    expect(plan.bundle).toEqual([{ kind: 'new' }, { kind: 'existing', fingerprint: 'ca-1' }]);
    expect(plan.nextCheckAtMs).toBe(t1Ms + 10 * MINUTE_MS);
    expect(kinds(secret.step(t1Ms + 10 * MINUTE_MS))).toEqual(['serving-issued:new-ca']);
    expect(kinds(secret.step(t1Ms + 20 * MINUTE_MS))).toEqual(['ca-retired:superseded']);
    expect(secret.cas.map((ca) => ca.fingerprint)).toEqual(['ca-2']);
  });

  it('an expired CA is dropped and replaced; its certificate is replaced at once', () => {
    const secret = new FakeSecret();
    secret.step(T0_MS, { caValidityMs: YEAR_MS / 2 });
    const plan = secret.step(T0_MS + YEAR_MS);
    expect(kinds(plan)).toEqual(['ca-retired:invalid', 'ca-created:expired', 'serving-issued:expired']);
    expect(plan.bundle).toEqual([{ kind: 'new' }]);
  });

  it('the Service renamed: a certificate for the new names, same CA', () => {
    const secret = new FakeSecret();
    secret.step(T0_MS);
    const renamed = serviceDnsNames('messaging-webhook', 'wharf-system', 'cluster.local');
    const plan = secret.step(T0_MS + DAY_MS, { dnsNames: renamed });
    expect(kinds(plan)).toEqual(['serving-issued:dns-names']);
    expect(plan.newServing?.dnsNames).toEqual(renamed);
    expect(plan.newCa).toBeUndefined();
    // The same names in another order are the same names.
    expect(secret.step(T0_MS + DAY_MS, { dnsNames: [...renamed].reverse() }).changes).toEqual([]);
  });

  it('a certificate signed by no CA of the bundle is replaced', () => {
    const secret = new FakeSecret();
    secret.step(T0_MS);
    secret.serving = { ...(secret.serving as ServingFacts), issuerFingerprint: undefined };
    expect(kinds(secret.step(T0_MS + 1))).toEqual(['serving-issued:untrusted']);
  });

  it('rotates the CA with an overlap: trusted before it signs, the old one kept until out of use', () => {
    const secret = new FakeSecret();
    secret.step(T0_MS);
    const caRenewMs = T0_MS + 10 * YEAR_MS - (10 * YEAR_MS) / 3;
    // The serving certificate was renewed in time all along; the CA reaches two thirds of its life.
    secret.serving = {
      ...(secret.serving as ServingFacts),
      notBeforeMs: caRenewMs - DAY_MS,
      notAfterMs: caRenewMs + YEAR_MS,
    };
    expect(secret.step(caRenewMs - 1).nextCheckAtMs).toBe(caRenewMs);

    const started = secret.step(caRenewMs);
    expect(kinds(started)).toEqual(['ca-created:rotation']);
    expect(started.newServing).toBeUndefined(); // still served by the old CA, which stays trusted
    expect(secret.cas.map((ca) => ca.fingerprint)).toEqual(['ca-2', 'ca-1']);
    expect(started.nextCheckAtMs).toBe(caRenewMs + 10 * MINUTE_MS);

    expect(secret.step(caRenewMs + 10 * MINUTE_MS - 1).changes).toEqual([]);
    const switched = secret.step(caRenewMs + 10 * MINUTE_MS);
    expect(kinds(switched)).toEqual(['serving-issued:new-ca']);
    expect(secret.serving?.issuerFingerprint).toBe('ca-2');
    expect(secret.cas.map((ca) => ca.fingerprint)).toEqual(['ca-2', 'ca-1']); // replicas may still serve the old one
    expect(switched.nextCheckAtMs).toBe(caRenewMs + 20 * MINUTE_MS);

    expect(secret.step(caRenewMs + 20 * MINUTE_MS - 1).changes).toEqual([]);
    const retired = secret.step(caRenewMs + 20 * MINUTE_MS);
    expect(kinds(retired)).toEqual(['ca-retired:superseded']);
    expect(retired.bundle).toEqual([{ kind: 'existing', fingerprint: 'ca-2' }]);
  });

  it('refuses settings that would renew forever', () => {
    expect(() => planRotation(new FakeSecret().observe(), settings(T0_MS, { servingRenewBeforeMs: YEAR_MS }))).toThrow(
      RangeError,
    );
  });

  it('over 25 years of checks, each late by up to an hour: the served certificate is always valid and trusted, a new CA is trusted overlapMs before it signs, an old one kept overlapMs after', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 * MINUTE_MS }), { minLength: 200, maxLength: 200 }),
        fc.constantFrom(10 * YEAR_MS, 2 * YEAR_MS, 100 * DAY_MS),
        (latenessMs, caValidityMs) => {
          const over = { caValidityMs, servingValidityMs: YEAR_MS / 4, servingRenewBeforeMs: 14 * DAY_MS };
          const overlapMs = 10 * MINUTE_MS;
          const secret = new FakeSecret();
          let nowMs = T0_MS;
          let plan = secret.step(nowMs, over);
          /** When each CA entered the bundle, and when each stopped signing the served certificate. */
          const trustedSince = new Map<string, number>();
          const servedUntil = new Map<string, number>();
          const note = () => {
            for (const ca of secret.cas) if (!trustedSince.has(ca.fingerprint)) trustedSince.set(ca.fingerprint, nowMs);
          };
          note();
          let served = secret.serving?.issuerFingerprint;
          for (let i = 0; nowMs < T0_MS + 25 * YEAR_MS; i++) {
            nowMs = Math.max(nowMs + 1, plan.nextCheckAtMs) + (latenessMs[i % latenessMs.length] ?? 0);
            const before = secret.cas.map((ca) => ca.fingerprint);
            plan = secret.step(nowMs, over);
            note();
            const serving = secret.serving as ServingFacts;
            // Valid, for the right names, signed by a CA of the bundle.
            expect(serving.notBeforeMs).toBeLessThanOrEqual(nowMs);
            expect(serving.notAfterMs).toBeGreaterThan(nowMs + DAY_MS);
            expect(secret.cas.map((ca) => ca.fingerprint)).toContain(serving.issuerFingerprint);
            expect(secret.cas.length).toBeLessThanOrEqual(BUNDLE_CAS_MAX);
            if (serving.issuerFingerprint !== served) {
              // The new issuer was in the bundle overlapMs before it signed.
              expect(nowMs - (trustedSince.get(serving.issuerFingerprint ?? '') ?? nowMs)).toBeGreaterThanOrEqual(
                overlapMs,
              );
              if (served !== undefined) servedUntil.set(served, nowMs);
              served = serving.issuerFingerprint;
            }
            for (const gone of before.filter((f) => !secret.cas.some((ca) => ca.fingerprint === f))) {
              // A CA leaves only overlapMs after its last certificate was replaced.
              expect(nowMs - (servedUntil.get(gone) ?? Number.NEGATIVE_INFINITY)).toBeGreaterThanOrEqual(overlapMs);
            }
          }
          expect(trustedSince.size).toBeGreaterThan(1); // at least one CA rotation happened
        },
      ),
      { numRuns: 20 },
    );
  });
});
