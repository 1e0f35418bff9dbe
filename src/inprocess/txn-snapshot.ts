/**
 * An in-process snapshot-isolation store, one copy on the primary: each `txn` reads from a
 * committed snapshot that may be a few commits old, buffers its writes, and commits unless a key
 * it writes was changed after its snapshot (first committer wins; the loser fails). So it allows
 * write skew (G2-item) and stale reads, but never dirty reads, lost updates or read skew:
 * histories satisfy snapshot isolation, not serializability.
 */
import { modelStore, type InProcessStore } from './model-node.ts';
import { runMops, type Mop, type TxnKind } from './txn-serializable.ts';

export interface SnapshotStoreOptions {
  /** How many commits old a snapshot may be (default 3). */
  maxStaleness?: number;
}

export function snapshotTxnStore(kind: TxnKind, opts: SnapshotStoreOptions = {}): InProcessStore {
  const maxStaleness = opts.maxStaleness ?? 3;
  /** Per key, its committed versions in commit order: [commit number, value]. */
  interface Versions {
    byKey: Map<unknown, [number, unknown][]>;
    committed: number;
  }
  const readAt = (s: Versions, k: unknown, snapshot: number): unknown => {
    const vs = s.byKey.get(k);
    if (!vs) return undefined;
    for (let i = vs.length - 1; i >= 0; i--) if (vs[i]![0] <= snapshot) return vs[i]![1];
    return undefined;
  };
  return modelStore<Versions>({
    init: () => ({ byKey: new Map(), committed: 0 }),
    apply(s, op, ctx) {
      if (op.f !== 'txn' || !Array.isArray(op.value)) return { type: 'fail', error: `unknown f ${op.f}` };
      const snapshot = s.committed - Math.floor(ctx.random() * (Math.min(s.committed, maxStaleness) + 1));
      const writes = new Map<unknown, unknown>();
      const value = runMops(
        kind,
        op.value as Mop[],
        (k) => (writes.has(k) ? writes.get(k) : readAt(s, k, snapshot)),
        (k, v) => writes.set(k, v),
      );
      for (const k of writes.keys()) {
        const vs = s.byKey.get(k);
        if (vs && vs[vs.length - 1]![0] > snapshot) return { type: 'fail', error: 'write conflict' };
      }
      if (writes.size > 0) {
        s.committed++;
        for (const [k, v] of writes) {
          const vs = s.byKey.get(k) ?? [];
          vs.push([s.committed, v]);
          s.byKey.set(k, vs);
        }
      }
      return { type: 'ok', value };
    },
  });
}
