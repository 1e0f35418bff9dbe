/**
 * In-process register stores for the register workload (`read`, `write v`, `cas [old, new]`,
 * each optionally keyed as `[k, ...]`), driven by the simulation. The correct store is one
 * linearizable copy. The `follower-reads` flaw applies writes on a leader (n1) and serves reads
 * from the client's node, whose replica catches up asynchronously (stale reads).
 */
import type { Completion } from '../core/client.ts';
import type { Rng } from '../core/generator.ts';
import { Replicas } from './replicas.ts';
import type { SimStore, StoreOp } from './simulate.ts';

export type RegisterFlaw = 'follower-reads';

export function registerStore(nodes: readonly string[], flaw?: RegisterFlaw): SimStore {
  const leader = flaw ? nodes[0]! : 'primary';
  const replicas = new Replicas<Map<unknown, unknown>>(flaw ? nodes : ['primary'], () => new Map());
  return {
    apply(op: StoreOp): Completion {
      const keyed = op.f === 'cas' ? Array.isArray(op.value) && Array.isArray((op.value as unknown[])[1]) : Array.isArray(op.value);
      const [k, arg] = keyed ? (op.value as [unknown, unknown]) : [null, op.value];
      const answer = (v: unknown): unknown => (keyed ? [k, v] : v);
      switch (op.f) {
        case 'read':
          return { type: 'ok', value: answer(replicas.state(flaw ? op.node : leader).get(k) ?? null) };
        case 'write':
          replicas.update(leader, (s) => s.set(k, arg));
          return { type: 'ok' };
        case 'cas': {
          const [old, next] = arg as [unknown, unknown];
          if ((replicas.state(leader).get(k) ?? null) !== old) return { type: 'fail', error: 'cas-mismatch' };
          replicas.update(leader, (s) => s.set(k, next));
          return { type: 'ok' };
        }
        default:
          return { type: 'fail', error: `unknown f ${op.f}` };
      }
    },
    tick(rng: Rng): void {
      if (rng.next() < 0.2) replicas.tick(rng);
    },
    settle(): void {
      replicas.settle();
    },
  };
}
