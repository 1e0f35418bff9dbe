/**
 * The counter workload: clients add deltas to one counter and read it; the counter checker
 * bounds every read by the adds that must and may have happened.
 *
 * Op shapes:
 *   add   invoke value delta (integer; negative only for a PN counter)   completion: same
 *   read  invoke value null                                              ok value: number
 * Final phase: one read.
 */
import type { OpTemplate, Rng } from '../../src/core/generator.ts';
import type { Workload } from '../../src/core/workload.ts';
import { lift } from '../../src/generator/lift.ts';
import { counter } from '../../checkers/counter/counter.ts';

export interface CounterWorkloadOptions {
  /** Allow negative deltas (a PN counter). */
  pn?: boolean;
  /** Largest |delta| (default 5). */
  maxDelta?: number;
  /** Fraction of ops that are reads (default 0.3). */
  readRatio?: number;
}

export function counterOp(rng: Rng, opts: CounterWorkloadOptions = {}): OpTemplate {
  if (rng.next() < (opts.readRatio ?? 0.3)) return { f: 'read', value: null };
  const magnitude = 1 + rng.int(opts.maxDelta ?? 5);
  return { f: 'add', value: opts.pn && rng.next() < 0.5 ? -magnitude : magnitude };
}

export const counterFinalOps: readonly OpTemplate[] = [{ f: 'read', value: null }];

/** The counter workload: adds and reads, a final read, judged by the counter checker. */
export function counterWorkload(opts: CounterWorkloadOptions = {}): Workload {
  return {
    name: 'counter',
    generator: lift((_test, ctx) => counterOp(ctx.rng, opts)),
    finalGenerator: lift(counterFinalOps),
    checker: counter(),
  };
}
