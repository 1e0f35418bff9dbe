/**
 * The session workload: clients write unique values into small grow-only sets and read them
 * back, moving between nodes as behind a load balancer; the session checker verifies
 * read-your-writes, monotonic reads, monotonic writes and writes-follow-reads per session.
 *
 * Op shapes:
 *   write  invoke value [k, v]       completion: same           (v unique: the op number)
 *   read   invoke value [k, null]    ok value: [k, [v...]]      (every value of k seen)
 * Keys rotate: ops n use the `keysPerGroup` keys of group floor(n / opsPerGroup), so sets stay
 * small and checking stays linear however long the test runs.
 */
import type { OpTemplate, Rng } from '../../src/core/generator.ts';
import type { Workload } from '../../src/core/workload.ts';
import { lift } from '../../src/generator/lift.ts';
import { sessionGuarantees, type SessionOptions } from '../../checkers/session/session-guarantees.ts';

export interface SessionWorkloadOptions {
  keysPerGroup?: number;
  opsPerGroup?: number;
  /** Fraction of ops that are reads (default 0.5). */
  readRatio?: number;
}

export function sessionOp(rng: Rng, n: number, opts: SessionWorkloadOptions = {}): OpTemplate {
  const perGroup = opts.keysPerGroup ?? 3;
  const group = Math.floor(n / (opts.opsPerGroup ?? 200));
  const key = group * perGroup + rng.int(perGroup);
  if (rng.next() < (opts.readRatio ?? 0.5)) return { f: 'read', value: [key, null] };
  return { f: 'write', value: [key, n] };
}

/** The session workload, judged by the session-guarantee checker. */
export function sessionWorkload(opts: SessionWorkloadOptions & SessionOptions = {}): Workload {
  let n = 0;
  return {
    name: 'session',
    generator: lift((_test, ctx) => sessionOp(ctx.rng, n++, opts)),
    finalGenerator: null,
    checker: sessionGuarantees(opts.guarantees ? { guarantees: opts.guarantees } : {}),
  };
}
