/**
 * The set workload: clients add unique elements to a grow-only set and read it back; the
 * set-full checker judges each element (lost, stale, never read, duplicated, how long until
 * stably visible).
 *
 * Op shapes (unkeyed | keyed, with `keys > 0`):
 *   add   invoke value e | [k, e]          completion value: same          (e: unique integer)
 *   read  invoke value null | [k, null]    ok value: [e...] | [k, [e...]]
 * Final phase: one read per key after faults heal, so every element gets a last chance to show.
 */
import type { OpTemplate, Rng } from '../../src/core/generator.ts';
import type { Workload } from '../../src/core/workload.ts';
import { lift } from '../../src/generator/lift.ts';
import { setFull, type SetFullOptions } from '../../checkers/set/set-full.ts';

export interface SetWorkloadOptions {
  /** Independent sets [k, e] over keys 0..keys-1; 0 (default) for one unkeyed set. */
  keys?: number;
  /** Fraction of ops that are reads (default 0.2). */
  readRatio?: number;
}

/** The n-th op (n counts the workload's invocations from 0; element n is unique). */
export function setOp(rng: Rng, n: number, opts: SetWorkloadOptions = {}): OpTemplate {
  const keys = opts.keys ?? 0;
  const key = keys > 0 ? rng.int(keys) : null;
  if (rng.next() < (opts.readRatio ?? 0.2)) return { f: 'read', value: key === null ? null : [key, null] };
  return { f: 'add', value: key === null ? n : [key, n] };
}

export function setFinalOps(opts: SetWorkloadOptions = {}): OpTemplate[] {
  const keys = opts.keys ?? 0;
  if (keys === 0) return [{ f: 'read', value: null }];
  return Array.from({ length: keys }, (_, k) => ({ f: 'read', value: [k, null] }));
}

/** The set workload: adds and reads, a final read of every key, judged by set-full. */
export function setWorkload(opts: SetWorkloadOptions & SetFullOptions = {}): Workload {
  let n = 0;
  return {
    name: 'set',
    generator: lift((_test, ctx) => setOp(ctx.rng, n++, opts)),
    finalGenerator: lift(setFinalOps(opts)),
    checker: setFull(opts.linearizable === undefined ? {} : { linearizable: opts.linearizable }),
  };
}
