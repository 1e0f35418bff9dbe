/**
 * In-process keyed grow-only-set stores for the session and causal workloads (`write [k, v]`,
 * `read [k, null]` → `[k, [v...]]`, multi-key `read null | [k...]` → `{k: [v...]}`). The
 * correct store is one linearizable copy. The `async-replicas` flaw gives every node its own
 * replica: writes apply on the client's node and reach the others later, in any order across
 * origins, and reads are served locally, so a client that moves between nodes may miss its own
 * writes, see values disappear, or see a write before the writes it depended on.
 */
import type { Completion } from '../core/client.ts';
import type { Rng } from '../core/generator.ts';
import { Replicas } from './replicas.ts';
import type { SimStore, StoreOp } from './simulate.ts';

export type KeyedSetFlaw = 'async-replicas';

type Sets = Map<string, unknown[]>;

export function keyedSetStore(nodes: readonly string[], flaw?: KeyedSetFlaw): SimStore {
  const replicas = new Replicas<Sets>(flaw ? nodes : ['primary'], () => new Map());
  const home = (node: string): string => (flaw ? node : 'primary');
  return {
    apply(op: StoreOp): Completion {
      const sets = replicas.state(home(op.node));
      if (op.f === 'write') {
        const [k, v] = op.value as [unknown, unknown];
        replicas.update(home(op.node), (s) => {
          const list = s.get(String(k));
          if (list) list.push(v);
          else s.set(String(k), [v]);
        });
        return { type: 'ok' };
      }
      if (op.f !== 'read') return { type: 'fail', error: `unknown f ${op.f}` };
      const v = op.value;
      if (Array.isArray(v) && v.length === 2 && v[1] === null) return { type: 'ok', value: [v[0], [...(sets.get(String(v[0])) ?? [])]] };
      const keys = Array.isArray(v) ? v.map(String) : [...sets.keys()];
      return { type: 'ok', value: Object.fromEntries(keys.map((k) => [k, [...(sets.get(k) ?? [])]])) };
    },
    tick(rng: Rng): void {
      if (rng.next() < 0.3) replicas.tick(rng);
    },
    settle(): void {
      replicas.settle();
    },
  };
}
