/**
 * In-process id generators for the unique-ids workload (`generate` → id). The correct store
 * prefixes a per-node counter with the node name. The `node-local-counter` flaw forgets the
 * prefix, so two nodes hand out the same ids.
 */
import type { Completion } from '../core/client.ts';
import type { SimStore, StoreOp } from './simulate.ts';

export type UniqueIdsFlaw = 'node-local-counter';

export function uniqueIdsStore(flaw?: UniqueIdsFlaw): SimStore {
  const counters = new Map<string, number>();
  return {
    apply(op: StoreOp): Completion {
      if (op.f !== 'generate') return { type: 'fail', error: `unknown f ${op.f}` };
      const n = (counters.get(op.node) ?? 0) + 1;
      counters.set(op.node, n);
      return { type: 'ok', value: flaw === 'node-local-counter' ? n : `${op.node}-${n}` };
    },
  };
}
