/**
 * In-process grow-only set stores for the set workload (`add e` / `read` → elements, or keyed
 * `add [k, e]` / `read [k, null]` → `[k, elements]`). The correct store is one copy on the
 * primary. Flaws: `lossy` acknowledges some adds without keeping them (lost elements),
 * `stale-reads` serves adds and reads from the client's node, whose copy learns of the other
 * nodes' adds as their messages arrive (stale elements), `duplicates` sometimes returns an
 * element twice.
 */
import { modelStore, type InProcessStore } from './model-node.ts';

export type SetFlaw = 'lossy' | 'stale-reads' | 'duplicates';

type Sets = Map<unknown, Set<unknown>>;

function keyed(value: unknown): [unknown, unknown, boolean] {
  return Array.isArray(value) ? [value[0], value[1], true] : [null, value, false];
}

function add(sets: Sets, k: unknown, e: unknown): void {
  let set = sets.get(k);
  if (!set) sets.set(k, (set = new Set()));
  set.add(e);
}

export function setStore(flaw?: SetFlaw): InProcessStore {
  return modelStore<Sets, [unknown, unknown]>({
    init: () => new Map(),
    where: () => (flaw === 'stale-reads' ? 'here' : 'primary'),
    apply(sets, op, ctx) {
      if (op.f === 'add') {
        const [k, e] = keyed(op.value);
        if (flaw === 'lossy' && ctx.random() < 0.1) return { type: 'ok' };
        add(sets, k, e);
        if (flaw === 'stale-reads') ctx.replicate([k, e]);
        return { type: 'ok' };
      }
      if (op.f === 'read') {
        const [k, , isKeyed] = keyed(op.value);
        const elements = [...(sets.get(k) ?? [])];
        if (flaw === 'duplicates' && elements.length > 0 && ctx.random() < 0.2) elements.push(elements[Math.floor(ctx.random() * elements.length)]);
        return { type: 'ok', value: isKeyed ? [k, elements] : elements };
      }
      return { type: 'fail', error: `unknown f ${op.f}` };
    },
    merge: (sets, [k, e]) => add(sets, k, e),
  });
}
