/**
 * Read-write register inference. Registers keep no history, so version orders come from
 * assumptions, each merged only while the per-key version graphs stay acyclic (otherwise the
 * cycle is reported as `cyclic-versions` and that source dropped): the initial state nil precedes
 * every value; optionally a known transaction order, writes-follow-reads within a txn, and
 * per-key sequential (process order) or linearizable (realtime order) keys. wr edges come from
 * unique writes; ww and rw from version-graph edges. Also finds G1a, G1b, internal, lost-update
 * and garbage-read, and non-unique writes (an input-contract violation).
 */
import { addCase, show, type Analysis, type Step } from './analysis.ts';
import { EdgeList, RW, WR, WW } from './graph.ts';
import { IntVec } from './int-vec.ts';
import { addProcessEdges, addRealtimeEdges } from './order-edges.ts';
import { FAIL, NIL, OK, repeatsKey, READ, WRITE, txnOp, type TxnTable, type Value } from './txns.ts';
import {
  fromTxnOrder,
  hasVersionEdge,
  link,
  mergeSources,
  type KeyOrderOptions,
  type KeyVersions,
  type VersionGraphs,
  type VersionSource,
} from './version-order.ts';

export interface RwRegisterOptions extends KeyOrderOptions {
  /** A known total order of transactions: completion op index → position. */
  transactionOrder?: Readonly<Record<number, number>>;
  /**
   * Report reads of values no transaction wrote as `garbage-read` (default false, so results
   * are identical to Elle's, which does not report them; `--opt garbage-reads=true` turns it on).
   */
  garbageReads?: boolean;
}

const NONE = -3;

/** External reads and writes per txn: the first read of a key not preceded by a write, the last write. */
interface Ext {
  start: Int32Array;
  key: Int32Array;
  read: Int32Array;
  readMop: Int32Array;
  write: Int32Array;
  writeMop: Int32Array;
}

function externals(tt: TxnTable): Ext {
  const start = new Int32Array(tt.n + 1);
  const key = new IntVec();
  const read = new IntVec();
  const readMop = new IntVec();
  const write = new IntVec();
  const writeMop = new IntVec();
  const touched = new Int32Array(tt.keys.length).fill(-1);
  const slot = new Int32Array(tt.keys.length);
  for (let t = 0; t < tt.n; t++) {
    start[t] = key.length;
    for (let m = tt.mopStart[t]!; m < tt.mopStart[t + 1]!; m++) {
      const k = tt.mopKey[m]!;
      if (touched[k] !== t) {
        touched[k] = t;
        slot[k] = key.length;
        key.push(k);
        read.push(NONE);
        readMop.push(-1);
        write.push(NONE);
        writeMop.push(-1);
      }
      const i = slot[k]!;
      if (tt.mopKind[m] === WRITE) {
        write.data[i] = tt.mopVal[m]!;
        writeMop.data[i] = m - tt.mopStart[t]!;
      } else if (read.data[i] === NONE && write.data[i] === NONE) {
        read.data[i] = tt.mopVal[m]!;
        readMop.data[i] = m - tt.mopStart[t]!;
      }
    }
  }
  start[tt.n] = key.length;
  return {
    start,
    key: key.toArray(),
    read: read.toArray(),
    readMop: readMop.toArray(),
    write: write.toArray(),
    writeMop: writeMop.toArray(),
  };
}

export function analyzeRwRegister(tt: TxnTable, opts: RwRegisterOptions): Analysis {
  const anomalies = new Map<string, unknown[]>();
  const K = tt.keys.length;
  const ext = externals(tt);
  const raw = (k: number, v: number): Value | null => (v === NIL ? null : tt.values[k]![v]!);
  const base = new Int32Array(K + 1);
  for (let k = 0; k < K; k++) base[k + 1] = base[k]! + tt.values[k]!.length + 1;
  const slotOf = (k: number, v: number): number => base[k]! + (v === NIL ? 0 : 1 + v);
  const slots = base[K]!;

  // Who wrote each value (any completion), failed and intermediate writes, non-unique writes.
  const anyWriter = new Int32Array(slots).fill(-1);
  const intermediate = new Int32Array(slots).fill(-1);
  const lastWriteIn = new Int32Array(K).fill(-1);
  let contract: Analysis['contract'];
  for (let t = 0; t < tt.n; t++) {
    for (let m = tt.mopStart[t + 1]! - 1; m >= tt.mopStart[t]!; m--) {
      if (tt.mopKind[m] !== WRITE) continue;
      const k = tt.mopKey[m]!;
      const s = slotOf(k, tt.mopVal[m]!);
      if (anyWriter[s] !== -1 && anyWriter[s] !== t && !contract) {
        contract = {
          type: 'duplicate-writes',
          message: `key ${show(tt.keys[k])} was set to ${show(raw(k, tt.mopVal[m]!))} by more than one transaction (ops ${tt.completion[anyWriter[s]!]} and ${tt.completion[t]}); rw-register needs unique writes`,
          key: tt.keys[k],
          value: raw(k, tt.mopVal[m]!),
        };
      }
      anyWriter[s] = t;
      if (lastWriteIn[k] === t) intermediate[s] = tt.completion[t]!;
      lastWriteIn[k] = t;
    }
  }
  const pendingWritten = new Set<number>();
  const keyIds = new Map(tt.keys.map((k, i) => [k, i]));
  for (const p of tt.pending) {
    const mops = tt.history[p]!.value;
    if (!Array.isArray(mops)) continue;
    const seenKeys = new Map<number, number>();
    for (const mop of mops) {
      if (!Array.isArray(mop) || mop[0] !== 'w') continue;
      const k = keyIds.get(mop[1] as never);
      const v = k === undefined ? undefined : tt.valueIdOf(k, mop[2]);
      if (k === undefined || v === undefined) continue;
      const prev = seenKeys.get(k);
      if (prev !== undefined) intermediate[prev] = p;
      seenKeys.set(k, slotOf(k, v));
      pendingWritten.add(slotOf(k, v));
    }
  }

  // Indexes of external writes and reads of ok txns.
  const group = (pick: (i: number) => number): { off: Int32Array; txns: Int32Array } => {
    const count = new Int32Array(slots + 1);
    const each = (fn: (s: number, t: number) => void): void => {
      for (let t = 0; t < tt.n; t++) {
        if (tt.type[t] !== OK) continue;
        for (let i = ext.start[t]!; i < ext.start[t + 1]!; i++) {
          const v = pick(i);
          if (v !== NONE) fn(slotOf(ext.key[i]!, v), t);
        }
      }
    };
    each((s) => count[s + 1]!++);
    for (let s = 0; s < slots; s++) count[s + 1]! += count[s]!;
    const txns = new Int32Array(count[slots]!);
    const fill = count.slice(0, slots);
    each((s, t) => (txns[fill[s]!++] = t));
    return { off: count, txns };
  };
  const writers = group((i) => ext.write[i]!);
  const readers = group((i) => ext.read[i]!);

  const edges = new EdgeList(tt.n * 8);
  for (let k = 0; k < K; k++) {
    for (let v = 0; v < tt.values[k]!.length; v++) {
      const s = slotOf(k, v);
      if (writers.off[s + 1]! - writers.off[s]! !== 1) continue;
      const w = writers.txns[writers.off[s]!]!;
      for (let i = readers.off[s]!; i < readers.off[s + 1]!; i++) edges.add(w, readers.txns[i]!, WR);
    }
  }

  // Version graphs, source by source.
  const sources: VersionSource[] = [{ name: 'initial-state', build: () => initialState(tt, ext) }];
  if (opts.transactionOrder) {
    const order = opts.transactionOrder;
    sources.push({ name: 'transaction-order-keys', build: () => transactionOrder(tt, ext, order) });
  }
  if (opts.wfrKeys) sources.push({ name: 'wfr-keys', build: () => wfr(tt, ext) });
  if (opts.sequentialKeys) sources.push({ name: 'sequential-keys', build: () => fromTxnOrder(tt, addProcessEdges, keyVersions(tt, ext)) });
  if (opts.linearizableKeys) sources.push({ name: 'linearizable-keys', build: () => fromTxnOrder(tt, addRealtimeEdges, keyVersions(tt, ext)) });
  const { graphs, cycles } = mergeSources(sources);
  for (const c of cycles) addCase(anomalies, 'cyclic-versions', { key: tt.keys[c.k], scc: c.scc.map((v) => raw(c.k, v)), sources: c.sources });
  for (const [k, g] of graphs) {
    for (const [v1, vs] of g) {
      const s1 = slotOf(k, v1);
      for (const v2 of vs) {
        const s2 = slotOf(k, v2);
        for (let j = writers.off[s2]!; j < writers.off[s2 + 1]!; j++) {
          const b = writers.txns[j]!;
          for (let i = writers.off[s1]!; i < writers.off[s1 + 1]!; i++) edges.add(writers.txns[i]!, b, WW);
          for (let i = readers.off[s1]!; i < readers.off[s1 + 1]!; i++) edges.add(readers.txns[i]!, b, RW);
        }
      }
    }
  }

  readAnomalies(tt, anyWriter, intermediate, pendingWritten, slotOf, raw, anomalies);
  if (opts.garbageReads !== true) anomalies.delete('garbage-read');
  const analysis: Analysis = {
    tt,
    edges,
    dataPriority: [WR, WW, RW],
    anomalies,
    explain: (a, b, rel) => explain(tt, ext, graphs, raw, a, b, rel),
    render,
  };
  if (contract) analysis.contract = contract;
  return analysis;
}

function initialState(tt: TxnTable, ext: Ext): VersionGraphs {
  const vg: VersionGraphs = new Map();
  for (let t = 0; t < tt.n; t++) {
    if (tt.type[t] === FAIL) continue;
    for (let i = ext.start[t]!; i < ext.start[t + 1]!; i++) {
      const k = ext.key[i]!;
      const w = ext.write[i]!;
      if (w !== NONE) link(vg, k, NIL, w);
      const r = ext.read[i]!;
      if (tt.type[t] === OK && r !== NONE && r !== NIL) link(vg, k, NIL, r);
    }
  }
  return vg;
}

function transactionOrder(tt: TxnTable, ext: Ext, order: Readonly<Record<number, number>>): VersionGraphs {
  const perKey = new Map<number, { v: number; pos: number }[]>();
  for (let t = 0; t < tt.n; t++) {
    if (tt.type[t] === FAIL) continue;
    const pos = order[tt.history[tt.completion[t]!]!.index] ?? -Infinity;
    for (let i = ext.start[t]!; i < ext.start[t + 1]!; i++) {
      if (ext.write[i] === NONE) continue;
      const list = perKey.get(ext.key[i]!) ?? [];
      list.push({ v: ext.write[i]!, pos });
      perKey.set(ext.key[i]!, list);
    }
  }
  const vg: VersionGraphs = new Map();
  for (const [k, list] of perKey) {
    list.sort((a, b) => a.pos - b.pos);
    for (let i = 0; i + 1 < list.length; i++) link(vg, k, list[i]!.v, list[i + 1]!.v);
  }
  return vg;
}

function wfr(tt: TxnTable, ext: Ext): VersionGraphs {
  const vg: VersionGraphs = new Map();
  for (let t = 0; t < tt.n; t++) {
    if (tt.type[t] !== OK) continue;
    for (let i = ext.start[t]!; i < ext.start[t + 1]!; i++) {
      const r = ext.read[i]!;
      const w = ext.write[i]!;
      if (r !== NONE && r !== NIL && w !== NONE) link(vg, ext.key[i]!, r, w);
    }
  }
  return vg;
}

/**
 * The versions of each key a txn has, as Elle relates them along a txn order: the final version
 * is the last write, else the first read (committed txns only); the first version is the first
 * read of a committed txn unless it read nil, else the write.
 */
function keyVersions(tt: TxnTable, ext: Ext): KeyVersions {
  const entry = (t: number, k: number): number => {
    for (let i = ext.start[t]!; i < ext.start[t + 1]!; i++) if (ext.key[i] === k) return i;
    return -1;
  };
  return {
    touches(t) {
      if (tt.type[t] === FAIL) return [];
      const out: number[] = [];
      for (let i = ext.start[t]!; i < ext.start[t + 1]!; i++) {
        if (tt.type[t] === OK || ext.write[i] !== NONE) out.push(ext.key[i]!);
      }
      return out;
    },
    final(t, k) {
      const i = entry(t, k);
      const v = ext.write[i] !== NONE ? ext.write[i]! : ext.read[i]!;
      return v === NONE ? undefined : v;
    },
    first(b, k) {
      const j = entry(b, k);
      if (j < 0) return undefined;
      const r = tt.type[b] === OK ? ext.read[j]! : NONE;
      const v = r !== NONE && r !== NIL ? r : ext.write[j] !== NONE ? ext.write[j]! : r;
      return v === NONE ? undefined : v;
    },
  };
}

function readAnomalies(
  tt: TxnTable,
  anyWriter: Int32Array,
  intermediate: Int32Array,
  pendingWritten: ReadonlySet<number>,
  slotOf: (k: number, v: number) => number,
  raw: (k: number, v: number) => Value | null,
  anomalies: Map<string, unknown[]>,
): void {
  const lost = new Map<number, { k: number; v: number; txns: number[] }>();
  for (let t = 0; t < tt.n; t++) {
    if (tt.type[t] !== OK) continue;
    const op = txnOp(tt, t);
    const start = tt.mopStart[t]!;
    const end = tt.mopStart[t + 1]!;
    for (let m = start; m < end; m++) {
      const v = tt.mopVal[m]!;
      if (tt.mopKind[m] !== READ || v === NIL) continue;
      const mop = tt.mop(t, m - start);
      const s = slotOf(tt.mopKey[m]!, v);
      const w = anyWriter[s]!;
      if (w >= 0 && tt.type[w] === FAIL) addCase(anomalies, 'G1a', { op, mop, writer: txnOp(tt, w) });
      if (w < 0 && !pendingWritten.has(s)) addCase(anomalies, 'garbage-read', { op, mop });
      const im = intermediate[s]!;
      if (im >= 0 && im !== tt.completion[t]) addCase(anomalies, 'G1b', { op, mop, writer: tt.history[im] });
    }
    if (!repeatsKey(tt, t)) continue;
    // Internal consistency and read-then-write of one key need a key touched twice.
    const state = new Map<number, number>();
    const firstRead = new Map<number, number>();
    const wrote = new Set<number>();
    let internalDone = false;
    for (let m = start; m < end; m++) {
      const k = tt.mopKey[m]!;
      const v = tt.mopVal[m]!;
      if (tt.mopKind[m] === WRITE) {
        state.set(k, v);
        if (firstRead.has(k) && !wrote.has(k)) {
          wrote.add(k);
          const r = firstRead.get(k)!;
          const s = slotOf(k, r);
          const g = lost.get(s);
          if (g) g.txns.push(t);
          else lost.set(s, { k, v: r, txns: [t] });
        }
        continue;
      }
      const expected = state.get(k);
      if (expected !== undefined && expected !== v && !internalDone) {
        internalDone = true;
        addCase(anomalies, 'internal', { op, mop: tt.mop(t, m - start), expected: raw(k, expected) });
      }
      state.set(k, v);
      if (!firstRead.has(k)) firstRead.set(k, v);
    }
  }
  for (const { k, v, txns } of lost.values()) {
    if (txns.length < 2) continue;
    addCase(anomalies, 'lost-update', { key: tt.keys[k], value: raw(k, v), txns: txns.map((t) => txnOp(tt, t)) });
  }
}

function explain(
  tt: TxnTable,
  ext: Ext,
  graphs: VersionGraphs,
  raw: (k: number, v: number) => Value | null,
  a: number,
  b: number,
  rel: number,
): Step | undefined {
  const find = (t: number, k: number): number => {
    for (let i = ext.start[t]!; i < ext.start[t + 1]!; i++) if (ext.key[i] === k) return i;
    return -1;
  };
  const mopIndex = (t: number, kind: number, k: number, v: number): number => {
    for (let m = tt.mopStart[t]!; m < tt.mopStart[t + 1]!; m++) {
      if (tt.mopKind[m] === kind && tt.mopKey[m] === k && tt.mopVal[m] === v) return m - tt.mopStart[t]!;
    }
    return -1;
  };
  for (let i = ext.start[a]!; i < ext.start[a + 1]!; i++) {
    const k = ext.key[i]!;
    const j = find(b, k);
    if (j < 0) continue;
    const key = tt.keys[k];
    if (rel === WR) {
      const v = ext.write[i]!;
      if (v !== NONE && ext.read[j] === v) {
        return { type: 'wr', key, value: raw(k, v), 'a-mop-index': mopIndex(a, WRITE, k, v), 'b-mop-index': mopIndex(b, READ, k, v) };
      }
      continue;
    }
    const va = rel === WW ? ext.write[i]! : ext.read[i]!;
    const vb = ext.write[j]!;
    if (va === NONE || vb === NONE || !hasVersionEdge(graphs, k, va, vb)) continue;
    return {
      type: rel === WW ? 'ww' : 'rw',
      key,
      value: raw(k, va),
      "value'": raw(k, vb),
      'a-mop-index': mopIndex(a, rel === WW ? WRITE : READ, k, va),
      'b-mop-index': mopIndex(b, WRITE, k, vb),
    };
  }
  return undefined;
}

function render(step: Step, a: string, b: string): string {
  const key = show(step.key);
  if (step.type === 'wr') return `${a} wrote ${key} = ${show(step.value)}, which was read by ${b}`;
  const verb = step.type === 'ww' ? `set key ${key} to` : `read key ${key} =`;
  return `${a} ${verb} ${show(step.value)}, and ${b} set it to ${show(step["value'"])}, which came later in the version order`;
}

