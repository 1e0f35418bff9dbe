/**
 * In-process id generators for the unique-ids workload (`generate` → id): each node counts on its
 * own. The correct store prefixes the count with the node's name. The `node-local-counter` flaw
 * forgets the prefix, so two nodes hand out the same ids.
 */
import { modelStore, type InProcessStore } from './model-node.ts';

export type UniqueIdsFlaw = 'node-local-counter';

export function uniqueIdsStore(flaw?: UniqueIdsFlaw): InProcessStore {
  return modelStore<{ count: number }>({
    init: () => ({ count: 0 }),
    where: () => 'here',
    apply(s, op, ctx) {
      if (op.f !== 'generate') return { type: 'fail', error: `unknown f ${op.f}` };
      const n = ++s.count;
      return { type: 'ok', value: flaw === 'node-local-counter' ? n : `${ctx.node}-${n}` };
    },
  });
}
