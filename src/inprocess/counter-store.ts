/**
 * In-process counter stores for the counter workload (`add delta` / `read` → value). The correct
 * store applies each add once. Flaws: `lost-increments` acknowledges some adds without applying
 * them (reads too low), `double-apply` applies some adds twice, as a store that retries a
 * non-idempotent increment internally would (reads too high).
 */
import type { Completion } from '../core/client.ts';
import type { Rng } from '../core/generator.ts';
import type { SimStore, StoreOp } from './simulate.ts';

export type CounterFlaw = 'lost-increments' | 'double-apply';

export function counterStore(flaw?: CounterFlaw): SimStore {
  let value = 0;
  return {
    apply(op: StoreOp, rng: Rng): Completion {
      if (op.f === 'read') return { type: 'ok', value };
      if (op.f !== 'add') return { type: 'fail', error: `unknown f ${op.f}` };
      const delta = op.value as number;
      if (flaw === 'lost-increments' && rng.next() < 0.1) return { type: 'ok' };
      value += delta;
      if (flaw === 'double-apply' && rng.next() < 0.1) value += delta;
      return { type: 'ok' };
    },
  };
}
