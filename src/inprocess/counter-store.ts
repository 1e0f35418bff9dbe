/**
 * In-process counter stores for the counter workload (`add delta` / `read` → value), one copy on
 * the primary. The correct store applies each add once. Flaws: `lost-increments` acknowledges
 * some adds without applying them (reads too low), `double-apply` applies some adds twice, as a
 * store that retries a non-idempotent increment internally would (reads too high).
 */
import { modelStore, type InProcessStore } from './model-node.ts';

export type CounterFlaw = 'lost-increments' | 'double-apply';

export function counterStore(flaw?: CounterFlaw): InProcessStore {
  return modelStore<{ value: number }>({
    init: () => ({ value: 0 }),
    apply(s, op, ctx) {
      if (op.f === 'read') return { type: 'ok', value: s.value };
      if (op.f !== 'add') return { type: 'fail', error: `unknown f ${op.f}` };
      const delta = op.value as number;
      if (flaw === 'lost-increments' && ctx.random() < 0.1) return { type: 'ok' };
      s.value += delta;
      if (flaw === 'double-apply' && ctx.random() < 0.1) s.value += delta;
      return { type: 'ok' };
    },
  });
}
