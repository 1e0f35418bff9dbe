/**
 * What kind of transactions a history holds, read from its micro-ops as Elle and Knossos tell
 * them apart (neither looks at `:f`, so neither does this): Elle's list-append (`[:append k v]`,
 * `[:r k list]`), Elle's rw-register (`[:w k v]`, `[:r k v]`) and Knossos' multi-register
 * (`[:write k v]`, `[:read k v]`, checked for linearizability).
 */
import type { History } from '../../core/op.ts';

export type TxnShape = 'list-append' | 'rw-register' | 'multi-register';

const LIST_APPEND_FS = new Set(['append', 'r']);
const RW_REGISTER_FS = new Set(['r', 'w']);
const KNOSSOS_FS = new Set(['read', 'write']);

/** The micro-op fs of a value that is a list of `[f, key, value]` micro-ops; undefined for any other value. */
function microOpFs(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const fs: string[] = [];
  for (const m of value) {
    if (!Array.isArray(m) || m.length !== 3 || typeof m[0] !== 'string') return undefined;
    fs.push(m[0]);
  }
  return fs;
}

/**
 * The transaction kind of a history whose client ops all carry micro-op lists (or nil values):
 * list-append when any micro-op appends, multi-register when they are Knossos' read / write,
 * rw-register when they are Elle's r / w. Undefined for other histories, and for micro-ops of
 * other kinds.
 */
export function txnShape(history: History): TxnShape | undefined {
  const fs = new Set<string>();
  for (const op of history) {
    if (typeof op.process !== 'number' || op.value === null || op.value === undefined) continue;
    const mine = microOpFs(op.value);
    if (!mine) return undefined;
    for (const f of mine) fs.add(f);
  }
  if (fs.size === 0) return undefined;
  const all = (allowed: ReadonlySet<string>): boolean => [...fs].every((f) => allowed.has(f));
  if (fs.has('append')) return all(LIST_APPEND_FS) ? 'list-append' : undefined;
  if (all(KNOSSOS_FS)) return 'multi-register';
  return all(RW_REGISTER_FS) ? 'rw-register' : undefined;
}

/** Every key the micro-ops of a history touch, in first-seen order. */
export function txnKeys(history: History): unknown[] {
  const keys = new Set<unknown>();
  for (const op of history) {
    if (!Array.isArray(op.value)) continue;
    for (const m of op.value) if (Array.isArray(m)) keys.add(m[1]);
  }
  return [...keys];
}
