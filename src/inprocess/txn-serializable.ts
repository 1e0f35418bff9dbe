/**
 * An in-process transactional store that is strict serializable by construction: each `txn`
 * (list-append `append`/`r` or rw-register `w`/`r` micro-ops) runs entirely at one instant
 * against the one copy the primary holds. Reads of an unwritten key return [] for lists and null
 * for registers.
 */
import { modelStore, type InProcessStore } from './model-node.ts';

export type TxnKind = 'list-append' | 'rw-register';
export type Mop = [f: string, key: unknown, value: unknown];

/** Runs micro-ops against `read` / `write`; returns the completed micro-ops (reads filled in). */
export function runMops(kind: TxnKind, mops: readonly Mop[], read: (k: unknown) => unknown, write: (k: unknown, v: unknown) => void): Mop[] {
  return mops.map(([f, k, v]): Mop => {
    if (f === 'r') {
      const x = read(k);
      return [f, k, Array.isArray(x) ? x.slice() : x === undefined ? (kind === 'list-append' ? [] : null) : x];
    }
    if (f === 'append') {
      const x = read(k);
      write(k, Array.isArray(x) ? [...x, v] : [v]);
    } else {
      write(k, v);
    }
    return [f, k, v];
  });
}

export function serializableTxnStore(kind: TxnKind): InProcessStore {
  return modelStore<Map<unknown, unknown>>({
    init: () => new Map(),
    apply(data, op) {
      if (op.f !== 'txn' || !Array.isArray(op.value)) return { type: 'fail', error: `unknown f ${op.f}` };
      const value = runMops(kind, op.value as Mop[], (k) => data.get(k), (k, v) => data.set(k, v));
      return { type: 'ok', value };
    },
  });
}
