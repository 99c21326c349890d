// A client-node informer that keeps running: client-node's ListWatch stops for good on any error
// other than 410 Gone, so this wrapper restarts it with exponential backoff; and a watchdog
// restarts it when nothing (no event, no reconnect) has been heard for staleAfterMs, because a
// watch can also go quiet without an error. Every add, update and delete reaches `onChange`.
import {
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  makeInformer,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Logger } from '../../common/logger.ts';
import { ItemBackoff } from './rate-limiter.ts';
import type { TimerHandle, Timers } from './timers.ts';

export type ChangeType = 'add' | 'update' | 'delete';
export type CachedInformer<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

export interface InformerOptions<T extends KubernetesObject> {
  /** Collection path, e.g. /apis/wharf.dev/v1alpha1/namespaces/shop/queues. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  /** Only objects with these labels (e.g. "a=b,c=d"); `list` must ask for the same. */
  readonly labelSelector?: string;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly onChange: (type: ChangeType, object: T) => void;
  readonly restartBaseMs?: number;
  readonly restartMaxMs?: number;
  /** Restart when nothing was heard for this long (the watch reconnects at least every 30 s). */
  readonly staleAfterMs?: number;
  /** Tests pass their own; production uses client-node's makeInformer. */
  readonly make?: () => CachedInformer<T>;
  readonly kubeConfig?: KubeConfig;
}

export const DEFAULT_STALE_AFTER_MS = 120_000;

export class ResilientInformer<T extends KubernetesObject> {
  readonly #o: InformerOptions<T>;
  readonly #informer: CachedInformer<T>;
  readonly #backoff: ItemBackoff;
  readonly #staleAfterMs: number;
  #lastHeardMs = 0;
  #restart: TimerHandle | undefined;
  #watchdog: TimerHandle | undefined;
  #stopped = true;
  #restarts = 0;

  constructor(options: InformerOptions<T>) {
    this.#o = options;
    this.#staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    this.#backoff = new ItemBackoff({
      baseDelayMs: options.restartBaseMs ?? 500,
      maxDelayMs: options.restartMaxMs ?? 30_000,
      keysMax: 1,
    });
    const make =
      options.make ??
      (() => {
        if (options.kubeConfig === undefined) throw new Error('an informer needs a kubeConfig');
        return makeInformer(options.kubeConfig, options.path, options.list, options.labelSelector);
      });
    this.#informer = make();
    const heard = (): void => {
      this.#lastHeardMs = options.timers.nowMs();
    };
    for (const type of ['add', 'update', 'delete'] as const) {
      this.#informer.on(type, (object) => {
        heard();
        this.#backoff.forget('watch');
        options.onChange(type, object);
      });
    }
    this.#informer.on('connect', heard);
    this.#informer.on('error', (error) => this.#failed(error));
  }

  /** Lists and starts watching; resolves after the first list (or its failure, then retries). */
  async start(): Promise<void> {
    this.#stopped = false;
    this.#lastHeardMs = this.#o.timers.nowMs();
    this.#armWatchdog();
    try {
      await this.#informer.start();
    } catch (error) {
      this.#failed(error);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#restart?.cancel();
    this.#watchdog?.cancel();
    await this.#informer.stop();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#informer.get(name, namespace);
  }

  list(namespace?: string): T[] {
    return [...this.#informer.list(namespace)];
  }

  /** Restarts so far (after errors or silence). */
  get restarts(): number {
    return this.#restarts;
  }

  #failed(error: unknown): void {
    if (this.#stopped || this.#restart !== undefined) return;
    const delayMs = this.#backoff.when('watch');
    this.#o.logger.warn({ err: error, path: this.#o.path, delayMs }, 'watch failed; restarting');
    this.#scheduleRestart(delayMs);
  }

  #scheduleRestart(delayMs: number): void {
    this.#restart = this.#o.timers.after(delayMs, () => {
      this.#restart = undefined;
      if (this.#stopped) return;
      this.#restarts++;
      this.#lastHeardMs = this.#o.timers.nowMs();
      this.#informer.start().catch((error: unknown) => this.#failed(error));
    });
  }

  #armWatchdog(): void {
    this.#watchdog?.cancel();
    const periodMs = Math.max(1, Math.floor(this.#staleAfterMs / 4));
    this.#watchdog = this.#o.timers.after(periodMs, () => {
      if (this.#stopped) return;
      const silentMs = this.#o.timers.nowMs() - this.#lastHeardMs;
      if (silentMs >= this.#staleAfterMs && this.#restart === undefined) {
        this.#o.logger.warn({ path: this.#o.path, silentMs }, 'watch silent; restarting');
        void this.#informer.stop().then(() => this.#scheduleRestart(0));
      }
      this.#armWatchdog();
    });
  }
}
