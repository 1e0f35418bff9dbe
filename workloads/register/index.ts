/**
 * The register workload: reads, writes and compare-and-sets on registers, every write a fresh
 * value, judged by the linearizability checker; the stale-reads checker measures how far behind
 * non-linearizable reads were.
 *
 * Op shapes (Knossos), unkeyed | keyed with `keys > 0` (Jepsen independent tuples):
 *   read   invoke value null | [k, null]              ok value: v | [k, v]   (null before any write)
 *   write  invoke value v | [k, v]                    completion: same       (v unique: the op number)
 *   cas    invoke value [old, new] | [k, [old, new]]  ok: it swapped; fail: the value was not old
 */
import type { OpTemplate, Rng } from '../../src/core/generator.ts';

export interface RegisterWorkloadOptions {
  /** Independent registers 0..keys-1; 0 (default) for one unkeyed register. */
  keys?: number;
  /** Fractions of reads and of compare-and-sets (defaults 0.5 and 0.1); the rest are writes. */
  readRatio?: number;
  casRatio?: number;
}

/** The n-th op; the value n is written at most once. */
export function registerOp(rng: Rng, n: number, opts: RegisterWorkloadOptions = {}): OpTemplate {
  const keys = opts.keys ?? 0;
  const key = keys > 0 ? rng.int(keys) : null;
  const withKey = (v: unknown): unknown => (key === null ? v : [key, v]);
  const x = rng.next();
  const readRatio = opts.readRatio ?? 0.5;
  if (x < readRatio) return { f: 'read', value: withKey(null) };
  // cas expects one of the last few values written, so some succeed.
  if (x < readRatio + (opts.casRatio ?? 0.1)) return { f: 'cas', value: withKey([Math.max(0, n - 1 - rng.int(4)), n]) };
  return { f: 'write', value: withKey(n) };
}
