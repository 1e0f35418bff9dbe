/**
 * The long-fork workload (as Jepsen's): clients write fresh keys once and read small groups of
 * neighbouring keys in one transaction; the long-fork checker looks for two reads of a group
 * that saw the writes in opposite orders (parallel snapshot isolation, not snapshot isolation).
 *
 * Op shapes:
 *   write  invoke value [["w", k, 1]]                  completion: same   (k unique: the op number)
 *   read   invoke value [["r", k, null]...]            ok value: [["r", k, v | null]...]
 *          (the `groupSize` keys of one of the two newest complete groups, in random order)
 */
import type { OpTemplate, Rng } from '../../src/core/generator.ts';
import type { Workload } from '../../src/core/workload.ts';
import { lift } from '../../src/generator/lift.ts';
import { longFork } from '../../checkers/long-fork/long-fork.ts';

export interface LongForkWorkloadOptions {
  groupSize?: number;
  /** Fraction of ops that are reads (default 0.5). */
  readRatio?: number;
}

export function longForkOp(rng: Rng, n: number, opts: LongForkWorkloadOptions = {}): OpTemplate {
  const size = opts.groupSize ?? 3;
  if (rng.next() >= (opts.readRatio ?? 0.5)) return { f: 'write', value: [['w', n, 1]] };
  // One of the last two groups whose keys have all been handed out: their writes are recent,
  // so they may still be propagating when the read arrives.
  const group = Math.max(0, Math.floor(n / size) - 1 - rng.int(2));
  const keys = Array.from({ length: size }, (_, i) => group * size + i);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  return { f: 'read', value: keys.map((k) => ['r', k, null]) };
}

/**
 * The long-fork workload, judged by the long-fork checker. Keys are numbered by writes, so every
 * key of a group is written and reads go to the groups being written now.
 */
export function longForkWorkload(opts: LongForkWorkloadOptions = {}): Workload {
  let nextKey = 0;
  return {
    name: 'long-fork',
    generator: lift((_test, ctx) => {
      const op = longForkOp(ctx.rng, nextKey, opts);
      if (op.f === 'write') nextKey++;
      return op;
    }),
    finalGenerator: null,
    checker: longFork(),
  };
}
