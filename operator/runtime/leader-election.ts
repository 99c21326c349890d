// Leader election through a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it:
// a candidate takes the Lease when it is free or its holder has not renewed it for
// leaseDurationMs, measured on the candidate's own clock from when it last saw the record change
// (so clock skew between nodes does not matter); the leader renews every retryPeriodMs and steps
// down if it cannot renew within renewDeadlineMs; updates carry resourceVersion, so two
// candidates never both win. Times in the Lease are MicroTime. Time is injected.
import { microTime } from './micro-time.ts';
import { delay, type Timers } from './timers.ts';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

/** The three calls the elector makes; create and replace fail on a conflict (409). */
export interface LeaseApi {
  get(): Promise<Lease | undefined>;
  create(lease: Lease): Promise<Lease>;
  replace(lease: Lease): Promise<Lease>;
}

export interface ElectionOptions {
  readonly api: LeaseApi;
  readonly name: string;
  readonly namespace: string;
  readonly identity: string;
  readonly timers: Timers;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly onError?: (error: unknown) => void;
}

export const DEFAULT_TIMING = Object.freeze({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });

export class LeaderElector {
  readonly #o: ElectionOptions;
  /** The last record seen and when (monotonic) it was first seen. */
  #observed: { record: string; atMs: number } | undefined;

  constructor(options: ElectionOptions) {
    if (!(options.leaseDurationMs > options.renewDeadlineMs && options.renewDeadlineMs > options.retryPeriodMs)) {
      throw new RangeError('leader election needs leaseDuration > renewDeadline > retryPeriod');
    }
    this.#o = options;
  }

  /** Tries once to take or renew the Lease; true when this candidate holds it now. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const o = this.#o;
    const nowMs = o.timers.nowMs();
    const now = microTime(o.timers.wallMs());
    const current = await o.api.get();
    const desired = (previous: LeaseSpec | undefined): LeaseSpec => {
      const same = previous?.holderIdentity === o.identity;
      return {
        holderIdentity: o.identity,
        leaseDurationSeconds: Math.ceil(o.leaseDurationMs / 1000),
        acquireTime: same && previous?.acquireTime !== undefined ? previous.acquireTime : now,
        renewTime: now,
        leaseTransitions: (previous?.leaseTransitions ?? 0) + (same || previous === undefined ? 0 : 1),
      };
    };
    if (current === undefined) {
      await o.api.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: o.name, namespace: o.namespace },
        spec: desired(undefined),
      });
      this.#observe(desired(undefined), nowMs);
      return true;
    }
    const spec = current.spec ?? {};
    this.#observe(spec, nowMs);
    const holder = spec.holderIdentity ?? '';
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
    const expired = this.#observed === undefined || this.#observed.atMs + durationMs <= nowMs;
    if (holder !== '' && holder !== o.identity && !expired) return false;
    const next = desired(spec);
    const replaced = await o.api.replace({ ...current, spec: next });
    this.#observe(replaced.spec ?? next, nowMs);
    return true;
  }

  /** Gives the Lease up so a successor need not wait for it to expire. */
  async release(): Promise<void> {
    const current = await this.#o.api.get();
    if (current?.spec?.holderIdentity !== this.#o.identity) return;
    await this.#o.api.replace({
      ...current,
      spec: {
        ...current.spec,
        holderIdentity: '',
        leaseDurationSeconds: 1,
        renewTime: microTime(this.#o.timers.wallMs()),
      },
    });
  }

  /**
   * Waits until this candidate leads, then calls `lead` with a signal that aborts when leadership
   * is lost (no renewal within renewDeadlineMs) or `stop` aborts; resolves once `lead` returned.
   * Returns whether leadership was lost (false: stopped on purpose, Lease released).
   */
  async run(stop: AbortSignal, lead: (lost: AbortSignal) => Promise<void>): Promise<{ lost: boolean }> {
    const o = this.#o;
    while (!stop.aborted && !(await this.#attempt())) await delay(o.timers, o.retryPeriodMs, stop);
    if (stop.aborted) return { lost: false };
    const leadership = new AbortController();
    const onStop = (): void => leadership.abort();
    stop.addEventListener('abort', onStop, { once: true });
    let lost = false;
    const renewing = (async () => {
      let lastRenewMs = o.timers.nowMs();
      while (!leadership.signal.aborted) {
        await delay(o.timers, o.retryPeriodMs, leadership.signal);
        if (leadership.signal.aborted) break;
        if (await this.#attempt()) lastRenewMs = o.timers.nowMs();
        else if (o.timers.nowMs() - lastRenewMs >= o.renewDeadlineMs || this.#heldByOther()) {
          lost = true;
          leadership.abort();
        }
      }
    })();
    try {
      await lead(leadership.signal);
    } finally {
      leadership.abort();
      stop.removeEventListener('abort', onStop);
      await renewing;
    }
    if (!lost) {
      try {
        await this.release();
      } catch (error) {
        o.onError?.(error);
      }
    }
    return { lost };
  }

  async #attempt(): Promise<boolean> {
    try {
      return await this.tryAcquireOrRenew();
    } catch (error) {
      this.#o.onError?.(error);
      return false;
    }
  }

  #heldByOther(): boolean {
    const holder = this.#observed === undefined ? '' : (JSON.parse(this.#observed.record) as LeaseSpec).holderIdentity;
    return holder !== undefined && holder !== '' && holder !== this.#o.identity;
  }

  #observe(spec: LeaseSpec, nowMs: number): void {
    const record = JSON.stringify(spec);
    if (this.#observed?.record !== record) this.#observed = { record, atMs: nowMs };
  }
}
