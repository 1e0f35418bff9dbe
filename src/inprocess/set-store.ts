/**
 * In-process grow-only set stores for the set workload (`add e` / `read` → elements, or keyed
 * `add [k, e]` / `read [k, null]` → `[k, elements]`). The correct store is one linearizable
 * copy. Flaws: `lossy` acknowledges some adds without keeping them (lost elements),
 * `stale-reads` serves reads from the client's node, which learns of adds asynchronously (stale
 * elements), `duplicates` sometimes returns an element twice.
 */
import type { Completion } from '../core/client.ts';
import type { Rng } from '../core/generator.ts';
import { Replicas } from './replicas.ts';
import type { SimStore, StoreOp } from './simulate.ts';

export type SetFlaw = 'lossy' | 'stale-reads' | 'duplicates';

type Sets = Map<unknown, Set<unknown>>;

function keyed(value: unknown): [unknown, unknown, boolean] {
  return Array.isArray(value) ? [value[0], value[1], true] : [null, value, false];
}

export function setStore(nodes: readonly string[], flaw?: SetFlaw): SimStore {
  const replicas = new Replicas<Sets>(flaw === 'stale-reads' ? nodes : ['primary'], () => new Map());
  const home = (node: string): string => (flaw === 'stale-reads' ? node : 'primary');
  return {
    apply(op: StoreOp, rng: Rng): Completion {
      if (op.f === 'add') {
        const [k, e] = keyed(op.value);
        if (flaw === 'lossy' && rng.next() < 0.1) return { type: 'ok' };
        replicas.update(home(op.node), (s) => {
          let set = s.get(k);
          if (!set) s.set(k, (set = new Set()));
          set.add(e);
        });
        return { type: 'ok' };
      }
      if (op.f === 'read') {
        const [k, , isKeyed] = keyed(op.value);
        const elements = [...(replicas.state(home(op.node)).get(k) ?? [])];
        if (flaw === 'duplicates' && elements.length > 0 && rng.next() < 0.2) elements.push(elements[rng.int(elements.length)]);
        return { type: 'ok', value: isKeyed ? [k, elements] : elements };
      }
      return { type: 'fail', error: `unknown f ${op.f}` };
    },
    tick(rng: Rng): void {
      if (rng.next() < 0.3) replicas.tick(rng);
    },
    settle(): void {
      replicas.settle();
    },
  };
}
