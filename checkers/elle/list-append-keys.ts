/**
 * Per-key order assumptions for list-append, the options Elle defines for rw-register
 * (`wfr-keys?`, `sequential-keys?`, `linearizable-keys?`) carried over to lists. The version
 * order of a key read off its longest list (the initial empty state, then the elements in order,
 * then the appends nobody observed) is merged with the versions each assumption implies:
 *
 * - wfr-keys: within a committed txn, the state it first read of a key precedes its last append;
 * - sequential-keys: a txn's last version of a key precedes the first version the next txns of
 *   the same process (downstream, through txns that leave the key alone) see or append;
 * - linearizable-keys: the same along realtime order (a completed before b was invoked).
 *
 * An assumption the observed lists contradict (a txn read a state older than one an earlier txn
 * left: a stale read of that key) closes a cycle in the key's versions: it is reported as
 * `cyclic-versions` and dropped, as Elle does. The versions an accepted assumption adds become ww
 * edges (between the appenders) and rw edges (from the readers of the earlier state).
 */
import { EdgeList, RW, WW } from './graph.ts';
import { addProcessEdges, addRealtimeEdges } from './order-edges.ts';
import { FAIL, OK, READ, UNREAD, WRITE, type TxnTable } from './txns.ts';
import {
  fromTxnOrder,
  link,
  mergeSources,
  type KeyOrderOptions,
  type KeyVersions,
  type VersionCycle,
  type VersionGraphs,
  type VersionSource,
} from './version-order.ts';

/** The version id of a key's initial (empty) state; elements have their value ids. */
export const INIT = -1;

/** What list-append infers from reads, per key and element. */
export interface AppendIndex {
  /** Flat slot of (key, element) is base[k] + element. */
  base: Int32Array;
  /** Version order per key (distinct elements of the longest read), and position of each element in it. */
  order: Int32Array[];
  pos: Int32Array;
  /** The txn that appended each element, or -1. */
  writer: Int32Array;
  /** Readers of each state: slot `stateSlot(ix, k, last)`. */
  readerOff: Int32Array;
  readers: Int32Array;
}

/** The readers slot of the state of key k whose last element is `last` (INIT: the empty list). */
export function stateSlot(ix: Pick<AppendIndex, 'base'>, k: number, last: number): number {
  return ix.base[k]! + k + 1 + last;
}

/** The state a read micro-op m observed: its last element, or INIT for the empty list. */
function readState(tt: TxnTable, m: number): number {
  const len = tt.mopLen[m]!;
  return len > 0 ? tt.pool[tt.mopVal[m]! + len - 1]! : INIT;
}

function possible(tt: TxnTable, t: number): boolean {
  return t >= 0 && tt.type[t] !== FAIL;
}

/** The order read off the lists: initial state, the longest list, then every unobserved append. */
function readOrder(tt: TxnTable, ix: AppendIndex): VersionGraphs {
  const vg: VersionGraphs = new Map();
  const last = new Int32Array(tt.keys.length).fill(INIT);
  ix.order.forEach((o, k) => {
    let prev = INIT;
    for (const e of o) {
      link(vg, k, prev, e);
      prev = e;
    }
    last[k] = prev;
  });
  for (let t = 0; t < tt.n; t++) {
    if (!possible(tt, t)) continue;
    for (let m = tt.mopStart[t]!; m < tt.mopStart[t + 1]!; m++) {
      const k = tt.mopKey[m]!;
      if (tt.mopKind[m] === WRITE && ix.pos[ix.base[k]! + tt.mopVal[m]!]! < 0) link(vg, k, last[k]!, tt.mopVal[m]!);
    }
  }
  return vg;
}

/** Per txn and key: the first version it saw or appended, and the last it left (reads count in committed txns only). */
function keyVersions(tt: TxnTable): KeyVersions {
  const keys: number[][] = [];
  const first: Map<number, number>[] = [];
  const final: Map<number, number>[] = [];
  for (let t = 0; t < tt.n; t++) {
    const f = new Map<number, number>();
    const l = new Map<number, number>();
    const appended = new Set<number>();
    if (tt.type[t] !== FAIL) {
      for (let m = tt.mopStart[t]!; m < tt.mopStart[t + 1]!; m++) {
        const k = tt.mopKey[m]!;
        let v: number;
        if (tt.mopKind[m] === WRITE) {
          v = tt.mopVal[m]!;
          appended.add(k);
        } else if (tt.type[t] === OK && tt.mopVal[m] !== UNREAD) {
          v = readState(tt, m);
          if (appended.has(k)) continue;
        } else {
          continue;
        }
        if (!f.has(k)) f.set(k, v);
        l.set(k, v);
      }
    }
    keys.push([...l.keys()]);
    first.push(f);
    final.push(l);
  }
  return { touches: (t) => keys[t]!, first: (t, k) => first[t]!.get(k), final: (t, k) => final[t]!.get(k) };
}

/** Writes follow reads: in a committed txn, the state first read of a key precedes its last append to it. */
function wfr(tt: TxnTable): VersionGraphs {
  const vg: VersionGraphs = new Map();
  for (let t = 0; t < tt.n; t++) {
    if (tt.type[t] !== OK) continue;
    const read = new Map<number, number>();
    const appended = new Map<number, number>();
    for (let m = tt.mopStart[t]!; m < tt.mopStart[t + 1]!; m++) {
      const k = tt.mopKey[m]!;
      if (tt.mopKind[m] === WRITE) appended.set(k, tt.mopVal[m]!);
      else if (tt.mopKind[m] === READ && !appended.has(k) && !read.has(k)) read.set(k, readState(tt, m));
    }
    for (const [k, s] of read) {
      const e = appended.get(k);
      if (e !== undefined) link(vg, k, s, e);
    }
  }
  return vg;
}

/**
 * Merges the requested assumptions into the version order read off the lists and adds the ww and
 * rw edges they imply to `edges`. Returns the merged versions (to explain those edges) and the
 * cycles of the assumptions that were dropped.
 */
export function addKeyOrderEdges(tt: TxnTable, ix: AppendIndex, opts: KeyOrderOptions, edges: EdgeList): { graphs: VersionGraphs; cycles: VersionCycle[] } {
  const sources: VersionSource[] = [];
  if (opts.wfrKeys) sources.push({ name: 'wfr-keys', build: () => wfr(tt) });
  if (opts.sequentialKeys) sources.push({ name: 'sequential-keys', build: () => fromTxnOrder(tt, addProcessEdges, keyVersions(tt)) });
  if (opts.linearizableKeys) sources.push({ name: 'linearizable-keys', build: () => fromTxnOrder(tt, addRealtimeEdges, keyVersions(tt)) });
  if (sources.length === 0) return { graphs: new Map(), cycles: [] };
  const { graphs, cycles } = mergeSources([{ name: 'list-order', build: () => readOrder(tt, ix) }, ...sources]);
  for (const [k, g] of graphs) {
    for (const [v1, vs] of g) {
      const w1 = v1 === INIT ? -1 : ix.writer[ix.base[k]! + v1]!;
      const s1 = stateSlot(ix, k, v1);
      for (const v2 of vs) {
        const w2 = v2 === INIT ? -1 : ix.writer[ix.base[k]! + v2]!;
        if (!possible(tt, w2)) continue;
        if (possible(tt, w1)) edges.add(w1, w2, WW);
        for (let i = ix.readerOff[s1]!; i < ix.readerOff[s1 + 1]!; i++) edges.add(ix.readers[i]!, w2, RW);
      }
    }
  }
  return { graphs, cycles };
}
