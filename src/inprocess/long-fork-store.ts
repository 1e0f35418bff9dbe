/**
 * In-process transactional register stores for the long-fork workload (`write [["w", k, v]]`,
 * `read [["r", k, null]...]` → values). The correct store keeps one copy and reads it at one
 * instant. The `parallel-snapshots` flaw gives every node a replica that applies other nodes'
 * writes in whatever order they arrive, and serves consistent-looking snapshots of it: two
 * nodes can order the same two writes differently (a long fork).
 */
import type { Completion } from '../core/client.ts';
import type { Rng } from '../core/generator.ts';
import { Replicas } from './replicas.ts';
import type { SimStore, StoreOp } from './simulate.ts';

export type LongForkFlaw = 'parallel-snapshots';

export function longForkStore(nodes: readonly string[], flaw?: LongForkFlaw): SimStore {
  const replicas = new Replicas<Map<unknown, unknown>>(flaw ? nodes : ['primary'], () => new Map(), { reorder: true });
  const home = (node: string): string => (flaw ? node : 'primary');
  return {
    apply(op: StoreOp): Completion {
      const mops = op.value as Array<[string, unknown, unknown]>;
      if (op.f === 'write') {
        replicas.update(home(op.node), (s) => {
          for (const [, k, v] of mops) s.set(k, v);
        });
        return { type: 'ok' };
      }
      if (op.f !== 'read') return { type: 'fail', error: `unknown f ${op.f}` };
      const s = replicas.state(home(op.node));
      return { type: 'ok', value: mops.map(([f, k]) => [f, k, s.get(k) ?? null]) };
    },
    tick(rng: Rng): void {
      if (rng.next() < 0.3) replicas.tick(rng);
    },
    settle(): void {
      replicas.settle();
    },
  };
}
