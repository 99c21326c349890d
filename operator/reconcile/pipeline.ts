// A reconcile as a flat list of named steps (the shape of RabbitMQ's cluster-operator): each step
// reads and extends one context and says whether to go on. A failure names the step it came from.
import type { HandlerResult } from '../runtime/work-queue.ts';

export type StepOutcome =
  | { readonly next: true }
  /** Finish this pass; come back after requeueAfterMs if set. */
  | { readonly done: true; readonly requeueAfterMs?: number };

export interface Step<C> {
  readonly name: string;
  readonly run: (context: C) => Promise<StepOutcome>;
}

export const next: StepOutcome = { next: true };
export const done = (requeueAfterMs?: number): StepOutcome =>
  requeueAfterMs === undefined ? { done: true } : { done: true, requeueAfterMs };

export class StepError extends Error {
  override name = 'StepError';
  readonly step: string;
  constructor(step: string, cause: unknown) {
    super(`step ${step}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.step = step;
  }
}

export async function runSteps<C>(steps: readonly Step<C>[], context: C): Promise<HandlerResult> {
  for (const step of steps) {
    let outcome: StepOutcome;
    try {
      outcome = await step.run(context);
    } catch (error) {
      throw new StepError(step.name, error);
    }
    if ('done' in outcome)
      return outcome.requeueAfterMs === undefined ? {} : { requeueAfterMs: outcome.requeueAfterMs };
  }
  return {};
}
