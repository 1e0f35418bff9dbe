/**
 * In-process transactional register stores for the long-fork workload (`write [["w", k, v]]`,
 * `read [["r", k, null]...]` → values). The correct store keeps one copy on the primary and reads
 * it at one instant. The `parallel-snapshots` flaw gives every node a copy that applies other
 * nodes' writes in whatever order their messages arrive, and serves consistent-looking snapshots
 * of it: two nodes can order the same two writes differently (a long fork).
 */
import { modelStore, type InProcessStore } from './model-node.ts';

export type LongForkFlaw = 'parallel-snapshots';

type Mop = [string, unknown, unknown];

export function longForkStore(flaw?: LongForkFlaw): InProcessStore {
  const writeAll = (s: Map<string, unknown>, mops: readonly Mop[]): void => {
    for (const [, k, v] of mops) s.set(JSON.stringify(k), v);
  };
  return modelStore<Map<string, unknown>, Mop[]>({
    init: () => new Map(),
    where: () => (flaw ? 'here' : 'primary'),
    apply(s, op, ctx) {
      const mops = op.value as Mop[];
      if (op.f === 'write') {
        writeAll(s, mops);
        if (flaw) ctx.replicate(mops);
        return { type: 'ok' };
      }
      if (op.f !== 'read') return { type: 'fail', error: `unknown f ${op.f}` };
      return { type: 'ok', value: mops.map(([f, k]) => [f, k, s.get(JSON.stringify(k)) ?? null]) };
    },
    merge: writeAll,
  });
}
