/**
 * The causal workload: clients insert unique values under a few keys and read all of them at
 * once; with concurrency, clients read each other's writes and write after reading, so writes
 * become causally linked. The causal-reverse checker demands that a read seeing a write also
 * sees every write that came before it (same session, read by its writer, or earlier in time).
 *
 * Op shapes:
 *   write  invoke value [k, v]        completion: same              (v unique: the op number)
 *   read   invoke value [k...]        ok value: {k: [v...]}         (one snapshot of those keys)
 * Keys rotate: ops n use the `keysPerGroup` keys of group floor(n / opsPerGroup).
 */
import type { OpTemplate, Rng } from '../../src/core/generator.ts';
import type { Workload } from '../../src/core/workload.ts';
import { lift } from '../../src/generator/lift.ts';
import { causalReverse } from '../../checkers/causal/causal-reverse.ts';

export interface CausalWorkloadOptions {
  keysPerGroup?: number;
  opsPerGroup?: number;
  /** Fraction of ops that are reads (default 0.5). */
  readRatio?: number;
}

export function causalOp(rng: Rng, n: number, opts: CausalWorkloadOptions = {}): OpTemplate {
  const perGroup = opts.keysPerGroup ?? 4;
  const first = Math.floor(n / (opts.opsPerGroup ?? 200)) * perGroup;
  if (rng.next() < (opts.readRatio ?? 0.5)) return { f: 'read', value: Array.from({ length: perGroup }, (_, i) => first + i) };
  return { f: 'write', value: [first + rng.int(perGroup), n] };
}

/** The causal workload, judged by the causal-reverse checker. */
export function causalWorkload(opts: CausalWorkloadOptions = {}): Workload {
  let n = 0;
  return {
    name: 'causal',
    generator: lift((_test, ctx) => causalOp(ctx.rng, n++, opts)),
    finalGenerator: null,
    checker: causalReverse(),
  };
}
