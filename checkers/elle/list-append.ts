/**
 * List-append inference: the version order of each key is read off its longest observed list;
 * from it come ww (next append), wr (read ends at an append) and rw (read state overwritten by
 * the next append) edges. Unobserved appends come after the last observed element. Also finds
 * the anomalies visible without cycles: G1a, G1b, internal, future-read, dirty-update,
 * duplicate-elements, incompatible-order, lost-update, garbage-read; and duplicate appends (an
 * input-contract violation). Per-key order assumptions (options) are in list-append-keys.ts.
 */
import { addCase, show, type Analysis, type Step } from './analysis.ts';
import { EdgeList, RW, WR, WW } from './graph.ts';
import { INIT, addKeyOrderEdges, stateSlot, type AppendIndex } from './list-append-keys.ts';
import { FAIL, OK, READ, UNREAD, WRITE, repeatsKey, txnOp, type TxnTable, type Value } from './txns.ts';
import { hasVersionEdge, type KeyOrderOptions } from './version-order.ts';

function readList(tt: TxnTable, m: number): Int32Array {
  const off = tt.mopVal[m]!;
  return tt.pool.subarray(off, off + tt.mopLen[m]!);
}

function isPossible(tt: TxnTable, t: number): boolean {
  return tt.type[t] !== FAIL;
}

export function analyzeListAppend(tt: TxnTable, opts: KeyOrderOptions = {}): Analysis {
  const anomalies = new Map<string, unknown[]>();
  const K = tt.keys.length;
  const base = new Int32Array(K + 1);
  for (let k = 0; k < K; k++) base[k + 1] = base[k]! + tt.values[k]!.length;
  const total = base[K]!;
  const raw = (k: number, e: number): Value => tt.values[k]![e]!;

  // Writers, intermediate writers (history positions) and duplicate appends.
  const writer = new Int32Array(total).fill(-1);
  const intermediate = new Int32Array(total).fill(-1);
  const lastAppendIn = new Int32Array(K).fill(-1);
  const appendCount = new Int32Array(K);
  const singleAppend = new Int32Array(K).fill(-1);
  let contract: Analysis['contract'];
  for (let t = 0; t < tt.n; t++) {
    for (let m = tt.mopStart[t]!; m < tt.mopStart[t + 1]!; m++) {
      if (tt.mopKind[m] !== WRITE) continue;
      const k = tt.mopKey[m]!;
      const s = base[k]! + tt.mopVal[m]!;
      if (writer[s] !== -1 && !contract) {
        const v = raw(k, tt.mopVal[m]!);
        contract = {
          type: 'duplicate-appends',
          message: `value ${show(v)} appended to key ${show(tt.keys[k])} more than once (ops ${tt.completion[writer[s]!]} and ${tt.completion[t]})`,
          op: txnOp(tt, t),
          key: tt.keys[k],
          value: v,
        };
      }
      writer[s] = t;
      if (isPossible(tt, t)) {
        appendCount[k]!++;
        singleAppend[k] = tt.mopVal[m]!;
      }
    }
    // Non-final appends of a key within this txn are intermediate.
    for (let m = tt.mopStart[t + 1]! - 1; m >= tt.mopStart[t]!; m--) {
      if (tt.mopKind[m] !== WRITE) continue;
      const k = tt.mopKey[m]!;
      if (lastAppendIn[k] === t) intermediate[base[k]! + tt.mopVal[m]!] = tt.completion[t]!;
      lastAppendIn[k] = t;
    }
  }
  const pendingWritten = markPending(tt, base, intermediate);

  // Longest read per key, over ok/info txns (the version order) and over all completions.
  const longest = new Int32Array(K).fill(-1);
  const longestAll = new Int32Array(K).fill(-1);
  for (let t = 0; t < tt.n; t++) {
    for (let m = tt.mopStart[t]!; m < tt.mopStart[t + 1]!; m++) {
      if (tt.mopKind[m] !== READ || tt.mopVal[m] === UNREAD || tt.mopLen[m] === 0) continue;
      const k = tt.mopKey[m]!;
      const len = tt.mopLen[m]!;
      if (isPossible(tt, t) && (longest[k] === -1 || tt.mopLen[longest[k]!]! < len)) longest[k] = m;
      if (longestAll[k] === -1 || tt.mopLen[longestAll[k]!]! < len) longestAll[k] = m;
    }
  }
  const distinctOf = (m: number): Int32Array => {
    const seen = new Set<number>();
    const out: number[] = [];
    for (const e of readList(tt, m)) {
      if (!seen.has(e)) {
        seen.add(e);
        out.push(e);
      }
    }
    return Int32Array.from(out);
  };
  const order: Int32Array[] = [];
  const pos = new Int32Array(total).fill(-1);
  for (let k = 0; k < K; k++) {
    const o =
      longest[k]! >= 0 ? distinctOf(longest[k]!) : appendCount[k] === 1 ? Int32Array.of(singleAppend[k]!) : new Int32Array(0);
    order.push(o);
    for (let i = 0; i < o.length; i++) pos[base[k]! + o[i]!] = i;
  }

  // Read index: readers of each state (initial state or "ends with element e").
  const slotOf = (k: number, last: number): number => stateSlot({ base }, k, last);
  const readerCount = new Int32Array(total + K + 1);
  const forEachPossibleRead = (fn: (t: number, m: number, k: number, list: Int32Array) => void): void => {
    for (let t = 0; t < tt.n; t++) {
      if (!isPossible(tt, t)) continue;
      for (let m = tt.mopStart[t]!; m < tt.mopStart[t + 1]!; m++) {
        if (tt.mopKind[m] !== READ || tt.mopVal[m] === UNREAD) continue;
        fn(t, m, tt.mopKey[m]!, readList(tt, m));
      }
    }
  };
  forEachPossibleRead((_t, _m, k, list) => {
    readerCount[slotOf(k, list.length > 0 ? list[list.length - 1]! : INIT)]!++;
  });
  const readerOff = new Int32Array(total + K + 2);
  for (let s = 0; s < total + K + 1; s++) readerOff[s + 1] = readerOff[s]! + readerCount[s]!;
  const readers = new Int32Array(readerOff[total + K + 1]!);
  const fill = readerOff.slice(0, total + K + 1);
  forEachPossibleRead((t, _m, k, list) => {
    readers[fill[slotOf(k, list.length > 0 ? list[list.length - 1]! : INIT)]!++] = t;
  });

  const prevOf = (k: number, e: number): number => {
    const p = pos[base[k]! + e]!;
    if (p > 0) return order[k]![p - 1]!;
    if (p === 0) return INIT;
    const o = order[k]!;
    return o.length > 0 ? o[o.length - 1]! : INIT;
  };

  // Edges.
  const edges = new EdgeList(tt.n * 8);
  for (let t = 0; t < tt.n; t++) {
    if (!isPossible(tt, t)) continue;
    for (let m = tt.mopStart[t]!; m < tt.mopStart[t + 1]!; m++) {
      const k = tt.mopKey[m]!;
      if (tt.mopKind[m] === WRITE) {
        const prev = prevOf(k, tt.mopVal[m]!);
        if (prev !== INIT) {
          const w = writer[base[k]! + prev]!;
          if (w >= 0 && isPossible(tt, w)) edges.add(w, t, WW);
        }
        const s = slotOf(k, prev);
        for (let i = readerOff[s]!; i < readerOff[s + 1]!; i++) edges.add(readers[i]!, t, RW);
      } else if (tt.mopVal[m] !== UNREAD && tt.mopLen[m]! > 0) {
        const last = tt.pool[tt.mopVal[m]! + tt.mopLen[m]! - 1]!;
        const w = writer[base[k]! + last]!;
        if (w >= 0 && isPossible(tt, w)) edges.add(w, t, WR);
      }
    }
  }

  // Anomalies seen in reads: duplicates and incompatible orders (ok/info), G1a, G1b, garbage (ok).
  const stamp = new Int32Array(total).fill(-1);
  const incompatibleSeen = new Uint8Array(K);
  let readNo = 0;
  forEachPossibleRead((t, m, k, list) => {
    readNo++;
    const op = txnOp(tt, t);
    const mopIdx = m - tt.mopStart[t]!;
    let dups: Map<number, number> | undefined;
    for (const e of list) {
      const s = base[k]! + e;
      if (stamp[s] === readNo) {
        dups ??= new Map();
        dups.set(e, (dups.get(e) ?? 1) + 1);
      }
      stamp[s] = readNo;
    }
    if (dups) {
      const duplicates: Record<string, number> = {};
      for (const [e, c] of dups) duplicates[String(raw(k, e))] = c;
      addCase(anomalies, 'duplicate-elements', { op, mop: tt.mop(t, mopIdx), duplicates });
    }
    const lm = longest[k]!;
    if (lm !== m && !incompatibleSeen[k]) {
      const full = readList(tt, lm);
      let prefix = list.length <= full.length;
      for (let i = 0; prefix && i < list.length; i++) prefix = list[i] === full[i];
      if (!prefix) {
        incompatibleSeen[k] = 1;
        addCase(anomalies, 'incompatible-order', {
          key: tt.keys[k],
          values: [Array.from(list, (e) => raw(k, e)), Array.from(full, (e) => raw(k, e))],
        });
      }
    }
    if (tt.type[t] !== OK) return;
    for (const e of list) {
      const w = writer[base[k]! + e]!;
      if (w >= 0 && tt.type[w] === FAIL) {
        addCase(anomalies, 'G1a', { op, mop: tt.mop(t, mopIdx), writer: txnOp(tt, w), element: raw(k, e) });
      } else if (w < 0 && !pendingWritten.has(base[k]! + e)) {
        addCase(anomalies, 'garbage-read', { op, mop: tt.mop(t, mopIdx), element: raw(k, e) });
      }
    }
    if (list.length > 0) {
      const last = list[list.length - 1]!;
      const im = intermediate[base[k]! + last]!;
      if (im >= 0 && im !== tt.completion[t]) {
        addCase(anomalies, 'G1b', { op, mop: tt.mop(t, mopIdx), writer: tt.history[im], element: raw(k, last) });
      }
    }
  });

  internalAndFutureReads(tt, raw, anomalies);
  dirtyUpdates(tt, longestAll, writer, base, raw, anomalies);
  lostUpdates(tt, raw, anomalies);

  const index: AppendIndex = { base, order, pos, writer, readerOff, readers };
  const keyOrder = addKeyOrderEdges(tt, index, opts, edges);
  for (const c of keyOrder.cycles) {
    addCase(anomalies, 'cyclic-versions', { key: tt.keys[c.k], scc: c.scc.map((e) => (e === INIT ? null : raw(c.k, e))), sources: c.sources });
  }
  const follows = (k: number, v1: number, v2: number): boolean => prevOf(k, v2) === v1 || hasVersionEdge(keyOrder.graphs, k, v1, v2);
  const analysis: Analysis = {
    tt,
    edges,
    dataPriority: [WW, WR, RW],
    anomalies,
    explain: (a, b, rel) => explain(tt, index, follows, a, b, rel),
    render,
  };
  if (contract) analysis.contract = contract;
  return analysis;
}

/** Appends of invocations that never completed: they may have happened, so their values are not garbage. */
function markPending(tt: TxnTable, base: Int32Array, intermediate: Int32Array): Set<number> {
  const written = new Set<number>();
  const keyIds = new Map(tt.keys.map((k, i) => [k, i]));
  for (const p of tt.pending) {
    const mops = tt.history[p]!.value;
    if (!Array.isArray(mops)) continue;
    const slots: number[] = [];
    for (const mop of mops) {
      if (!Array.isArray(mop) || mop[0] !== 'append') continue;
      const k = keyIds.get(mop[1] as never);
      const e = k === undefined ? undefined : tt.valueIdOf(k, mop[2]);
      if (k === undefined || e === undefined) continue;
      written.add(base[k]! + e);
      slots.push(k, e);
    }
    for (let i = 0; i + 2 < slots.length; i += 2) {
      for (let j = i + 2; j < slots.length; j += 2) {
        if (slots[j] === slots[i]) intermediate[base[slots[i]!]! + slots[i + 1]!] = p;
      }
    }
  }
  return written;
}

/** Within one ok txn: reads that disagree with its own earlier reads/appends, or see its later appends. */
function internalAndFutureReads(tt: TxnTable, raw: (k: number, e: number) => Value, anomalies: Map<string, unknown[]>): void {
  for (let t = 0; t < tt.n; t++) {
    if (tt.type[t] !== OK || !repeatsKey(tt, t)) continue;
    const start = tt.mopStart[t]!;
    const end = tt.mopStart[t + 1]!;
    let internalDone = false;
    let futureDone = false;
    for (let m = start; m < end; m++) {
      const k = tt.mopKey[m]!;
      if (tt.mopKind[m] === WRITE) {
        if (futureDone) continue;
        const e = tt.mopVal[m]!;
        for (let j = start; j < m; j++) {
          if (tt.mopKind[j] !== READ || tt.mopKey[j] !== k || !readList(tt, j).includes(e)) continue;
          futureDone = true;
          const op = txnOp(tt, t);
          addCase(anomalies, 'future-read', { op, mop: tt.mop(t, j - start), element: raw(k, e) });
          break;
        }
        continue;
      }
      if (internalDone) continue;
      // The state this txn expects: its latest read of k, then its appends to k since.
      let j = m - 1;
      let touched = false;
      while (j >= start && !(tt.mopKind[j] === READ && tt.mopKey[j] === k)) {
        if (tt.mopKey[j] === k) touched = true;
        j--;
      }
      if (j < start && !touched) continue;
      const appended: number[] = [];
      for (let x = j + 1; x < m; x++) if (tt.mopKey[x] === k) appended.push(tt.mopVal[x]!);
      const prefix = j >= start ? readList(tt, j) : undefined;
      const list = readList(tt, m);
      let bad: boolean;
      if (prefix) {
        bad = list.length !== prefix.length + appended.length || prefix.some((e, i) => list[i] !== e) || appended.some((e, i) => list[prefix.length + i] !== e);
      } else {
        const i = list.length - appended.length;
        bad = i < 0 || appended.some((e, x) => list[i + x] !== e);
      }
      if (!bad) continue;
      internalDone = true;
      const op = txnOp(tt, t);
      const expected: unknown[] = [...(prefix ?? []), ...appended].map((e) => raw(k, e));
      addCase(anomalies, 'internal', { op, mop: tt.mop(t, m - start), expected: prefix ? expected : ['...', ...expected] });
    }
  }
}

/** A committed append that builds on an aborted one, along each key's version order. */
function dirtyUpdates(
  tt: TxnTable,
  longestAll: Int32Array,
  writer: Int32Array,
  base: Int32Array,
  raw: (k: number, e: number) => Value,
  anomalies: Map<string, unknown[]>,
): void {
  for (let k = 0; k < tt.keys.length; k++) {
    const m = longestAll[k]!;
    if (m < 0) continue;
    let t1 = -1;
    let t1Type = OK;
    let vs: number[] = [];
    const seen = new Set<number>();
    for (const e of readList(tt, m)) {
      if (seen.has(e)) continue;
      seen.add(e);
      const t2 = writer[base[k]! + e]!;
      if (t2 < 0) continue;
      const t2Type = tt.type[t2]!;
      if (t2Type === OK) {
        if (t1Type === FAIL) {
          addCase(anomalies, 'dirty-update', {
            key: tt.keys[k],
            values: [...vs, e].map((x) => raw(k, x)),
            txns: [txnOp(tt, t1), '...', txnOp(tt, t2)],
          });
        }
        t1 = t2;
        t1Type = OK;
        vs = [e];
      } else if (t2Type === FAIL && t1Type !== FAIL) {
        t1 = t2;
        t1Type = FAIL;
        vs = [e];
      } else {
        vs.push(e);
      }
    }
  }
}

/** Two or more ok txns that read the same state of a key and then both appended to it. */
function lostUpdates(tt: TxnTable, raw: (k: number, e: number) => Value, anomalies: Map<string, unknown[]>): void {
  const groups = new Map<string, { k: number; m: number; txns: number[] }>();
  for (let t = 0; t < tt.n; t++) {
    if (tt.type[t] !== OK || !repeatsKey(tt, t)) continue;
    const start = tt.mopStart[t]!;
    const end = tt.mopStart[t + 1]!;
    for (let m = start; m < end; m++) {
      if (tt.mopKind[m] !== WRITE) continue;
      const k = tt.mopKey[m]!;
      // The first append of k after the txn's first read of k.
      let r = -1;
      let earlierWrite = false;
      for (let j = start; j < m; j++) {
        if (tt.mopKey[j] !== k) continue;
        if (r < 0 && tt.mopKind[j] === READ) r = j;
        else if (r >= 0 && tt.mopKind[j] === WRITE) earlierWrite = true;
      }
      if (r < 0 || earlierWrite) continue;
      const list = readList(tt, r);
      const id = `${k}:${list.length}:${list.length > 0 ? list[list.length - 1] : INIT}`;
      const g = groups.get(id);
      if (g) g.txns.push(t);
      else groups.set(id, { k, m: r, txns: [t] });
    }
  }
  for (const g of groups.values()) {
    if (g.txns.length < 2) continue;
    addCase(anomalies, 'lost-update', {
      key: tt.keys[g.k],
      value: Array.from(readList(tt, g.m), (e) => raw(g.k, e)),
      txns: g.txns.map((t) => txnOp(tt, t)),
    });
  }
}

/**
 * Why txn b follows txn a on relation `rel`; `follows(k, v1, v2)` says whether state v1 of key k
 * precedes b's append v2 in the version order (read off the lists, or from a per-key assumption).
 */
function explain(
  tt: TxnTable,
  ix: AppendIndex,
  follows: (k: number, v1: number, v2: number) => boolean,
  a: number,
  b: number,
  rel: number,
): Step | undefined {
  const raw = (k: number, e: number): Value => tt.values[k]![e]!;
  const findInA = (pred: (m: number) => boolean): number => {
    for (let m = tt.mopStart[a]!; m < tt.mopStart[a + 1]!; m++) if (pred(m)) return m - tt.mopStart[a]!;
    return -1;
  };
  const stateOf = (x: number): number => (tt.mopLen[x]! > 0 ? tt.pool[tt.mopVal[x]! + tt.mopLen[x]! - 1]! : INIT);
  for (let m = tt.mopStart[b]!; m < tt.mopStart[b + 1]!; m++) {
    const k = tt.mopKey[m]!;
    const bIdx = m - tt.mopStart[b]!;
    if (tt.mopKind[m] === WRITE && (rel === WW || rel === RW)) {
      const e = tt.mopVal[m]!;
      if (rel === WW) {
        const aIdx = findInA((x) => tt.mopKind[x] === WRITE && tt.mopKey[x] === k && follows(k, tt.mopVal[x]!, e));
        if (aIdx < 0) continue;
        const prev = tt.mopVal[tt.mopStart[a]! + aIdx]!;
        return { type: 'ww', key: tt.keys[k], value: raw(k, prev), "value'": raw(k, e), 'a-mop-index': aIdx, 'b-mop-index': bIdx };
      }
      if (tt.type[a] === FAIL) continue;
      const aIdx = findInA((x) => tt.mopKind[x] === READ && tt.mopKey[x] === k && tt.mopVal[x] !== UNREAD && follows(k, stateOf(x), e));
      if (aIdx < 0) continue;
      const prev = stateOf(tt.mopStart[a]! + aIdx);
      return {
        type: 'rw',
        key: tt.keys[k],
        value: prev === INIT ? 'init' : raw(k, prev),
        "value'": raw(k, e),
        'a-mop-index': aIdx,
        'b-mop-index': bIdx,
      };
    }
    if (tt.mopKind[m] === READ && rel === WR && tt.mopVal[m] !== UNREAD && tt.mopLen[m]! > 0) {
      const last = tt.pool[tt.mopVal[m]! + tt.mopLen[m]! - 1]!;
      if (ix.writer[ix.base[k]! + last] !== a) continue;
      const aIdx = findInA((x) => tt.mopKind[x] === WRITE && tt.mopKey[x] === k && tt.mopVal[x] === last);
      return { type: 'wr', key: tt.keys[k], value: raw(k, last), 'a-mop-index': aIdx, 'b-mop-index': bIdx };
    }
  }
  return undefined;
}

function render(step: Step, a: string, b: string): string {
  const key = show(step.key);
  switch (step.type) {
    case 'ww':
      return `${b} appended ${show(step["value'"])} after ${a} appended ${show(step.value)} to ${key}`;
    case 'wr':
      return `${b} observed ${a}'s append of ${show(step.value)} to key ${key}`;
    default:
      return step.value === 'init'
        ? `${a} observed the initial (nil) state of ${key}, which ${b} created by appending ${show(step["value'"])}`
        : `${a} did not observe ${b}'s append of ${show(step["value'"])} to ${key}`;
  }
}
