/**
 * In-process keyed grow-only-set stores for the session and causal workloads (`write [k, v]`,
 * `read [k, null]` → `[k, [v...]]`, multi-key `read null | [k...]` → `{k: [v...]}`). The
 * correct store is one copy on the primary. The `async-replicas` flaw gives every node its own
 * copy: writes apply on the client's node and reach the others as messages, in any order across
 * origins, and reads are served locally, so a client that moves between nodes may miss its own
 * writes, see values disappear, or see a write before the writes it depended on.
 */
import { modelStore, type InProcessStore } from './model-node.ts';

export type KeyedSetFlaw = 'async-replicas';

type Sets = Map<string, unknown[]>;

function write(sets: Sets, k: unknown, v: unknown): void {
  const list = sets.get(String(k));
  if (list) list.push(v);
  else sets.set(String(k), [v]);
}

export function keyedSetStore(flaw?: KeyedSetFlaw): InProcessStore {
  return modelStore<Sets, [unknown, unknown]>({
    init: () => new Map(),
    where: () => (flaw ? 'here' : 'primary'),
    apply(sets, op, ctx) {
      if (op.f === 'write') {
        const [k, v] = op.value as [unknown, unknown];
        write(sets, k, v);
        if (flaw) ctx.replicate([k, v]);
        return { type: 'ok' };
      }
      if (op.f !== 'read') return { type: 'fail', error: `unknown f ${op.f}` };
      const v = op.value;
      if (Array.isArray(v) && v.length === 2 && v[1] === null) return { type: 'ok', value: [v[0], [...(sets.get(String(v[0])) ?? [])]] };
      const keys = Array.isArray(v) ? v.map(String) : [...sets.keys()];
      return { type: 'ok', value: Object.fromEntries(keys.map((k) => [k, [...(sets.get(k) ?? [])]])) };
    },
    merge: (sets, [k, v]) => write(sets, k, v),
  });
}
