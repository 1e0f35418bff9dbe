/**
 * Parsing of keyed grow-only-set histories, shared by the session-guarantee and causal checkers.
 *
 * Ops: `{f: "write", value: [k, v]}` adds the unique value v to the set under key k;
 * `{f: "read", value: [k, null]}` completes ok with `[k, [v...]]`; a multi-key read
 * `{f: "read", value: null | [k...]}` completes ok with `{[k]: [v...]}`. Keys are compared as
 * strings (JSON object keys are strings). Each (k, v) may be written once.
 *
 * The result is column-oriented (typed arrays, no object per read) so that million-op
 * histories parse without keeping the garbage collector busy.
 */
import { HistoryError } from '../../src/core/errors.ts';
import type { History, Op } from '../../src/core/op.ts';
import { completionIndex } from '../../src/history/pairs.ts';
import { resolveInto, valueIndex, type ValueIndex } from '../value-index.ts';

/** Writes, by write id w (in invocation order). */
export interface Writes {
  count: number;
  key: string[];
  value: unknown[];
  process: Int32Array;
  invokeIndex: Int32Array;
  /** Completion index, -1 when it never completed. */
  completionIndex: Int32Array;
  /** 'ok' | 'fail' | 'info' (never completed counts as info). */
  type: string[];
}

/** Ok reads, by read id r (in invocation order); read r made observations obsStart[r]..obsEnd[r]. */
export interface Reads {
  count: number;
  process: Int32Array;
  invokeIndex: Int32Array;
  completionIndex: Int32Array;
  obsStart: Int32Array;
  obsEnd: Int32Array;
}

/**
 * Observations (one key of one read), by observation id o: the raw values are values[o], their
 * write ids seen[start[o] + j] (-1 for a value nobody wrote to that key: thin air).
 */
export interface Observations {
  count: number;
  key: string[];
  values: Array<readonly unknown[]>;
  read: Int32Array;
  start: Int32Array;
  end: Int32Array;
}

export interface KeyedSetHistory {
  writes: Writes;
  reads: Reads;
  obs: Observations;
  seen: Int32Array;
}

export type Scalar = number | string;

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'number' || typeof v === 'string';
}

function badWrite(op: Op): never {
  throw new HistoryError(`write value must be [key, value] (numbers or strings), got ${JSON.stringify(op.value)}`, op.index);
}

/** Growable column of integers. */
class IntColumn {
  data = new Int32Array(1024);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }
  done(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/** [key, value] of a write: `[k, v]`, numbers or strings. */
export function parseSetWrite(op: Op): [string, Scalar] {
  const v = op.value;
  if (!Array.isArray(v) || v.length !== 2 || !isScalar(v[0]) || !isScalar(v[1])) badWrite(op);
  return [String(v[0]), v[1] as Scalar];
}

/** What an ok read observed: [key, values] for each key it read, in the order returned. */
export function readObservations(invoke: Op, done: Op): Array<[string, readonly unknown[]]> {
  const iv = invoke.value;
  const v = done.value;
  if (Array.isArray(iv) && iv.length === 2 && isScalar(iv[0]) && iv[1] == null) {
    if (!(Array.isArray(v) && v.length === 2 && String(v[0]) === String(iv[0]) && Array.isArray(v[1]))) {
      throw new HistoryError(`ok read of key ${JSON.stringify(iv[0])} must return [key, [values...]], got ${JSON.stringify(v)}`, done.index);
    }
    return [[String(iv[0]), v[1] as unknown[]]];
  }
  if (iv != null && !(Array.isArray(iv) && iv.every(isScalar))) {
    throw new HistoryError(`read must be invoked with [key, null], a list of keys, or null, got ${JSON.stringify(iv)}`, invoke.index);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new HistoryError(`ok multi-key read must return {key: [values...]}, got ${JSON.stringify(v)}`, done.index);
  }
  const out: Array<[string, readonly unknown[]]> = [];
  for (const k in v as Record<string, unknown>) {
    const values = (v as Record<string, unknown>)[k];
    if (!Array.isArray(values)) throw new HistoryError(`ok read must map each key to an array of values, key ${JSON.stringify(k)} has ${JSON.stringify(values)}`, done.index);
    out.push([k, values]);
  }
  return out;
}

/** The error for a value written to a key a second time. */
export function writtenTwice(op: Op, key: string, value: Scalar, firstIndex: number): HistoryError {
  return new HistoryError(`value ${JSON.stringify(value)} is written to key ${JSON.stringify(key)} twice (first at op ${firstIndex}); values must be unique per key`, op.index);
}

export function parseKeyedSetHistory(history: History): KeyedSetHistory {
  const partner = completionIndex(history);
  const w = { key: [] as string[], value: [] as unknown[], process: new IntColumn(), inv: new IntColumn(), comp: new IntColumn(), type: [] as string[] };
  const r = { process: new IntColumn(), inv: new IntColumn(), comp: new IntColumn(), obsStart: new IntColumn(), obsEnd: new IntColumn() };
  const o = { key: [] as string[], values: [] as Array<readonly unknown[]>, read: new IntColumn() };
  const ids = new Map<string, Map<unknown, number>>();
  let total = 0;
  for (let i = 0; i < history.length; i++) {
    const op = history[i]!;
    if (op.type !== 'invoke' || typeof op.process !== 'number') continue;
    const c = partner[i]!;
    if (op.f === 'write') {
      const [k, value] = parseSetWrite(op);
      let byKey = ids.get(k);
      if (!byKey) ids.set(k, (byKey = new Map()));
      const prior = byKey.get(value);
      if (prior !== undefined) throw writtenTwice(op, k, value, w.inv.data[prior]!);
      byKey.set(value, w.key.length);
      w.key.push(k);
      w.value.push(value);
      w.process.push(op.process);
      w.inv.push(i);
      w.comp.push(c);
      w.type.push(c >= 0 ? history[c]!.type : 'info');
      continue;
    }
    if (op.f !== 'read' || c < 0 || history[c]!.type !== 'ok') continue;
    const first = o.key.length;
    for (const [k, values] of readObservations(op, history[c]!)) {
      o.key.push(k);
      o.values.push(values);
      o.read.push(r.inv.length);
      total += values.length;
    }
    r.process.push(op.process);
    r.inv.push(i);
    r.comp.push(c);
    r.obsStart.push(first);
    r.obsEnd.push(o.key.length);
  }
  const indexes = new Map<string, ValueIndex>();
  for (const [k, byKey] of ids) indexes.set(k, valueIndex(byKey));
  const seen = new Int32Array(total);
  const start = new Int32Array(o.key.length);
  const end = new Int32Array(o.key.length);
  let at = 0;
  for (let j = 0; j < o.key.length; j++) {
    const values = o.values[j]!;
    resolveInto(indexes.get(o.key[j]!), values, seen, at);
    start[j] = at;
    at += values.length;
    end[j] = at;
  }
  return {
    writes: { count: w.key.length, key: w.key, value: w.value, process: w.process.done(), invokeIndex: w.inv.done(), completionIndex: w.comp.done(), type: w.type },
    reads: { count: r.inv.length, process: r.process.done(), invokeIndex: r.inv.done(), completionIndex: r.comp.done(), obsStart: r.obsStart.done(), obsEnd: r.obsEnd.done() },
    obs: { count: o.key.length, key: o.key, values: o.values, read: o.read.done(), start, end },
    seen,
  };
}

/** An op named in evidence: where it is, who ran it on which node, and (for writes) its value. */
export interface OpRef {
  index: number;
  process: unknown;
  node?: string;
  f: string;
  value?: unknown;
}

export function ref(history: History, index: number, withValue: boolean): OpRef {
  return opRef(history[index]!, withValue);
}

export function opRef(op: Op, withValue: boolean): OpRef {
  const r: OpRef = { index: op.index, process: op.process, f: op.f };
  if (op.node !== undefined) r.node = op.node;
  if (withValue) r.value = op.value;
  return r;
}

export interface ImpossibleReads {
  thinAir: Array<{ read: number; key: string; value: unknown }>;
  aborted: Array<{ read: number; write: number; key: string; value: unknown }>;
  thinAirCount: number;
  abortedCount: number;
}

/** Reads of values nobody wrote (thin air) or whose write failed (aborted), up to `limit` each. */
export function impossibleReads(h: KeyedSetHistory, limit: number): ImpossibleReads {
  const out: ImpossibleReads = { thinAir: [], aborted: [], thinAirCount: 0, abortedCount: 0 };
  const { obs, seen, writes, reads } = h;
  for (let o = 0; o < obs.count; o++) {
    for (let i = obs.start[o]!; i < obs.end[o]!; i++) {
      const w = seen[i]!;
      if (w >= 0 && writes.type[w] !== 'fail') continue;
      const read = reads.completionIndex[obs.read[o]!]!;
      const value = obs.values[o]![i - obs.start[o]!];
      if (w < 0) {
        out.thinAirCount++;
        if (out.thinAir.length < limit) out.thinAir.push({ read, key: obs.key[o]!, value });
      } else {
        out.abortedCount++;
        if (out.aborted.length < limit) out.aborted.push({ read, write: writes.invokeIndex[w]!, key: obs.key[o]!, value });
      }
    }
  }
  return out;
}
