/**
 * Parses a transactional history (ops whose value is a list of micro-ops `[f, key, value]`) into
 * flat typed arrays: one row per completed transaction, micro-ops with interned keys and values.
 * Ops are read as Elle reads them: `:f` is not looked at, an ok list-append read of nil is the
 * empty list, and a completion without a value is an empty transaction when ok and, when info or
 * fail, the transaction its invocation names (Jepsen completions repeat the invoked value).
 * Malformed input raises one HistoryError naming the op index and the micro-op at fault.
 */
import type { History, Op } from '../../src/core/op.ts';
import { HistoryError } from '../../src/core/errors.ts';
import { completionIndex } from '../../src/history/pairs.ts';

export type TxnWorkload = 'list-append' | 'rw-register';

/** Completion types, as stored in `TxnTable.type`. */
export const OK = 0;
export const INFO = 1;
export const FAIL = 2;

/** Micro-op kinds: a write (`append` or `w`) or a read (`r`). */
export const WRITE = 0;
export const READ = 1;

/**
 * A list-append read with no value (`nil` in an info or failed op): nothing was observed. (An ok
 * op's nil read is the empty list.)
 */
export const UNREAD = -1;
/** An rw-register read of `nil`: the initial state (in an ok op) or nothing observed (info, fail). */
export const NIL = -2;

export type Key = number | string;
export type Value = number | string;

export interface TxnTable {
  workload: TxnWorkload;
  history: History;
  /** Number of transactions (client completions: ok, info, fail), in completion order. */
  n: number;
  /** History position of each transaction's completion and invocation (-1 if none). */
  completion: Int32Array;
  invocation: Int32Array;
  type: Uint8Array;
  process: Float64Array;
  /** For each history position holding a completion, its transaction; -1 elsewhere. */
  txnAt: Int32Array;
  /** Micro-ops of txn t are mopStart[t] .. mopStart[t+1]-1. */
  mopStart: Int32Array;
  mopKind: Uint8Array;
  mopKey: Int32Array;
  /**
   * Writes: the written value's id. rw-register reads: the value id, or NIL.
   * list-append reads: the offset of the list in `pool`, or UNREAD.
   */
  mopVal: Int32Array;
  /** list-append reads: the list length. */
  mopLen: Int32Array;
  /** Element ids of all list-append reads, concatenated. */
  pool: Int32Array;
  keys: Key[];
  /** Per key id: the values, by value id. */
  values: Value[][];
  /** The id of value v of key k, if it occurs in the history. */
  valueIdOf(k: number, v: unknown): number | undefined;
  /** History positions of invocations that never completed. */
  pending: number[];
  /** Micro-op i of txn t, as the history wrote it. */
  mop(t: number, i: number): unknown;
}

const ALLOWED: Record<TxnWorkload, ReadonlySet<string>> = {
  'list-append': new Set(['append', 'r']),
  'rw-register': new Set(['w', 'r']),
};

function describe(x: unknown): string {
  const s = JSON.stringify(x);
  return s === undefined ? String(x) : s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/** Parses and validates; the table keeps references to the history's ops for reporting. */
export function parseTxns(history: History, workload: TxnWorkload): TxnTable {
  const partner = completionIndex(history);
  const allowed = ALLOWED[workload];
  const writeF = workload === 'list-append' ? 'append' : 'w';
  /** The micro-ops of the completion at pos (see the header), or its value when that is no list. */
  const txnValue = (op: Op, pos: number): unknown => {
    if (op.value !== null && op.value !== undefined) return op.value;
    const inv = op.type === 'ok' ? -1 : partner[pos]!;
    return inv >= 0 && Array.isArray(history[inv]!.value) ? history[inv]!.value : [];
  };
  // Size every array up front (one cheap pass), so large histories cause no regrowth.
  let nTxns = 0;
  let nMops = 0;
  let nElems = 0;
  for (let pos = 0; pos < history.length; pos++) {
    const op = history[pos]!;
    if (typeof op.process !== 'number' || op.type === 'invoke') continue;
    const mops = txnValue(op, pos);
    if (!Array.isArray(mops)) continue;
    nTxns++;
    for (const mop of mops as unknown[]) {
      nMops++;
      if (Array.isArray(mop) && Array.isArray(mop[2])) nElems += (mop[2] as unknown[]).length;
    }
  }
  const completion = new Int32Array(nTxns);
  const invocation = new Int32Array(nTxns);
  const type = new Uint8Array(nTxns);
  const process = new Float64Array(nTxns);
  const txnAt = new Int32Array(history.length).fill(-1);
  const mopStart = new Int32Array(nTxns + 1);
  const mopKind = new Uint8Array(nMops);
  const mopKey = new Int32Array(nMops);
  const mopVal = new Int32Array(nMops);
  const mopLen = new Int32Array(nMops);
  const pool = new Int32Array(nElems);
  let t = 0;
  let m = 0;
  let pooled = 0;
  const keys: Key[] = [];
  const keyIds = new Map<Key, number>();
  // Value ids per key: small non-negative integers through a dense table, anything else a Map.
  const valueIds: Map<Value, number>[] = [];
  const dense: Int32Array[] = [];
  const DENSE_LIMIT = 1 << 22;
  const values: Value[][] = [];
  const pending: number[] = [];
  const lists: unknown[][] = new Array(nTxns);
  let keyType: 'number' | 'string' | undefined;
  let keyTypeAt = -1;

  const denseKeys = new Int32Array(1024).fill(-1);
  const keyId = (k: unknown, at: number, i: number): number => {
    const small = typeof k === 'number' && k >= 0 && k < denseKeys.length && (k | 0) === k;
    if (small && denseKeys[k]! >= 0) return denseKeys[k]!;
    const id = keyIds.get(k as Key);
    if (id !== undefined) return id;
    const t = typeof k;
    if (t !== 'number' && t !== 'string') {
      throw new HistoryError(`micro-op ${i} has key ${describe(k)}; keys must be numbers or strings`, at);
    }
    if (keyType === undefined) {
      keyType = t as 'number' | 'string';
      keyTypeAt = at;
    } else if (t !== keyType) {
      throw new HistoryError(
        `micro-op ${i} has ${t} key ${describe(k)} but keys before it are ${keyType}s (first at op ${keyTypeAt}); mixed key types are not allowed`,
        at,
      );
    }
    const nid = keys.length;
    keys.push(k as Key);
    keyIds.set(k as Key, nid);
    if (small) denseKeys[k] = nid;
    valueIds.push(new Map());
    dense.push(new Int32Array(16).fill(-1));
    values.push([]);
    return nid;
  };
  const valueId = (k: number, v: unknown, at: number, i: number): number => {
    const small = typeof v === 'number' && v >= 0 && v < DENSE_LIMIT && (v | 0) === v;
    if (small) {
      let d = dense[k]!;
      if (v < d.length && d[v]! >= 0) return d[v]!;
      if (v >= d.length) {
        const grown = new Int32Array(Math.max(v + 1, d.length * 2)).fill(-1);
        grown.set(d);
        dense[k] = d = grown;
      }
      const vs = values[k]!;
      d[v] = vs.length;
      vs.push(v);
      return vs.length - 1;
    }
    const ids = valueIds[k]!;
    const id = ids.get(v as Value);
    if (id !== undefined) return id;
    if (typeof v !== 'number' && typeof v !== 'string') {
      throw new HistoryError(`micro-op ${i} has value ${describe(v)}; values must be numbers or strings`, at);
    }
    const vs = values[k]!;
    ids.set(v, vs.length);
    vs.push(v);
    return vs.length - 1;
  };
  const valueIdOf = (k: number, v: unknown): number | undefined => {
    if (typeof v === 'number' && v >= 0 && v < DENSE_LIMIT && (v | 0) === v) {
      const id = dense[k]![v];
      return id === undefined || id < 0 ? undefined : id;
    }
    return valueIds[k]!.get(v as Value);
  };

  for (let pos = 0; pos < history.length; pos++) {
    const op: Op = history[pos]!;
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      if (partner[pos] === -1) pending.push(pos);
      continue;
    }
    const typeCode = op.type === 'ok' ? OK : op.type === 'info' ? INFO : op.type === 'fail' ? FAIL : -1;
    if (typeCode < 0) throw new HistoryError(`unknown op type ${describe(op.type)}`, pos);
    const mops = txnValue(op, pos);
    if (!Array.isArray(mops)) {
      throw new HistoryError(`a ${workload} op's value must be a list of micro-ops [f, key, value], got ${describe(mops)}`, pos);
    }
    txnAt[pos] = t;
    lists[t] = mops;
    completion[t] = pos;
    invocation[t] = partner[pos]!;
    type[t] = typeCode;
    process[t] = op.process;
    mopStart[t] = m;
    t++;
    for (let i = 0; i < mops.length; i++, m++) {
      const mop: unknown = mops[i];
      if (!Array.isArray(mop) || mop.length !== 3) {
        throw new HistoryError(`micro-op ${i} must be [f, key, value], got ${describe(mop)}`, pos);
      }
      const f: unknown = mop[0];
      if (f !== 'r' && f !== writeF) {
        throw new HistoryError(`micro-op ${i} has f ${describe(f)}; ${workload} allows only ${[...allowed].join(' and ')}`, pos);
      }
      const k = keyId(mop[1], pos, i);
      const v: unknown = mop[2];
      mopKey[m] = k;
      if (f === writeF) {
        mopKind[m] = WRITE;
        mopVal[m] = valueId(k, v, pos, i);
        continue;
      }
      mopKind[m] = READ;
      if (v === null || v === undefined) {
        if (workload === 'rw-register') {
          mopVal[m] = NIL;
        } else if (typeCode === OK) {
          mopVal[m] = pooled;
          mopLen[m] = 0;
        } else {
          mopVal[m] = UNREAD;
        }
      } else if (workload === 'rw-register') {
        mopVal[m] = valueId(k, v, pos, i);
      } else {
        if (!Array.isArray(v)) {
          throw new HistoryError(`micro-op ${i} reads key ${describe(mop[1])} as ${describe(v)}; list-append reads must be lists`, pos);
        }
        mopVal[m] = pooled;
        mopLen[m] = v.length;
        for (const e of v) pool[pooled++] = valueId(k, e, pos, i);
      }
    }
  }
  mopStart[t] = m;
  return {
    workload,
    history,
    n: nTxns,
    completion,
    invocation,
    type,
    process,
    txnAt,
    mopStart,
    mopKind,
    mopKey,
    mopVal,
    mopLen,
    pool,
    keys,
    values,
    valueIdOf,
    pending,
    mop: (txn, i) => lists[txn]![i],
  };
}

/** The op of txn t (its completion). */
export function txnOp(tt: TxnTable, t: number): Op {
  return tt.history[tt.completion[t]!]!;
}

/** True when some key occurs in more than one micro-op of txn t (only then can a txn contradict itself). */
export function repeatsKey(tt: TxnTable, t: number): boolean {
  const start = tt.mopStart[t]!;
  const end = tt.mopStart[t + 1]!;
  for (let i = start + 1; i < end; i++) {
    for (let j = start; j < i; j++) if (tt.mopKey[i] === tt.mopKey[j]) return true;
  }
  return false;
}
