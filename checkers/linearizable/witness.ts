/**
 * Independent check of a witness linearization in O(n): every required op appears exactly once,
 * optional ops at most once, real-time order holds (no op is placed after an op that was
 * invoked after it returned), and replaying the model from its initial state is legal.
 * Every `ok` verdict is checked with it before it is reported.
 */
import { describeState, isInconsistent, type Model } from './model.ts';
import type { Partition } from './prepare.ts';

/** Null when `order` (entry indices) is a linearization of the partition, else the reason. */
export function verifyLinearization(model: Model<any>, p: Partition, order: readonly number[]): string | null {
  const n = p.ops.length;
  const seen = new Uint8Array(n);
  let maxCall = -Infinity;
  let maxCallEntry = -1;
  let state: unknown = model.init();
  for (let i = 0; i < order.length; i++) {
    const e = order[i]!;
    if (!(e >= 0 && e < n) || seen[e]) return `entry ${e} is out of range or repeated at position ${i}`;
    seen[e] = 1;
    if (p.ret[e]! < maxCall) return `op ${p.call[e]} returned (op ${p.ret[e]}) before op ${p.call[maxCallEntry]} was invoked, yet is ordered after it`;
    if (p.call[e]! > maxCall) {
      maxCall = p.call[e]!;
      maxCallEntry = e;
    }
    const next = model.step(state, p.ops[e]!);
    if (isInconsistent(next)) return `op ${p.call[e]} is illegal in state ${describeState(model, state)}: ${next.message}`;
    state = next;
  }
  for (let e = 0; e < n; e++) {
    if (!seen[e] && p.ret[e] !== Infinity) return `required op ${p.call[e]} is missing from the linearization`;
  }
  return null;
}
