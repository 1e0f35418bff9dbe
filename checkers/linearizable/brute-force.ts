/**
 * A brute-force reference checker, straight from the definition, for testing the real one on
 * small histories: try every order of the ops that respects real time (an op may go next when
 * no pending required op returned before it was invoked), with optional (crashed) ops taken or
 * left out, replaying the model. No memoization, no pruning; exponential.
 */
import { isInconsistent, type Model } from './model.ts';
import { prepareHistory, type Partition } from './prepare.ts';
import type { History } from '../../src/core/op.ts';

function partitionLinearizable(model: Model<any>, p: Partition): boolean {
  const n = p.ops.length;
  const done = new Array<boolean>(n).fill(false);
  const go = (state: unknown, left: number): boolean => {
    if (left === 0) return true;
    for (let e = 0; e < n; e++) {
      if (done[e]) continue;
      let blocked = false;
      for (let x = 0; x < n && !blocked; x++) blocked = !done[x] && x !== e && p.ret[x]! < p.call[e]!;
      if (blocked) continue;
      const next = model.step(state, p.ops[e]!);
      if (isInconsistent(next)) continue;
      done[e] = true;
      const ok = go(next, left - (p.ret[e] === Infinity ? 0 : 1));
      done[e] = false;
      if (ok) return true;
    }
    return false;
  };
  return go(model.init(), p.ret.filter((r) => r !== Infinity).length);
}

/** True when every partition of the history is linearizable. */
export function bruteForceLinearizable(model: Model<any>, history: History): boolean {
  return prepareHistory(history, model).partitions.every((p) => partitionLinearizable(model, p));
}
