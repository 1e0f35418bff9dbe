/**
 * Per-key version orders built from assumptions, as Elle's rw-register builds them: each source
 * (the initial state, a known transaction order, writes-follow-reads, per-key sequential or
 * linearizable keys) gives version edges per key; sources are merged in order, each only while
 * every key's version graph stays acyclic, and a source that would close a cycle is dropped and
 * the cycle reported (`cyclic-versions`). Versions are numbers chosen by the workload (value ids,
 * with its own id for the initial state).
 */
import { EdgeList, sccs, toCsr } from './graph.ts';
import type { TxnTable } from './txns.ts';

/**
 * The per-key order assumptions Elle offers (`wfr-keys?`, `sequential-keys?`,
 * `linearizable-keys?`); each adds version edges, so dependencies, a history alone does not show.
 */
export interface KeyOrderOptions {
  /** Within a txn, writes follow reads: the version a txn read of a key precedes the one it wrote. */
  wfrKeys?: boolean;
  /** Each key is sequentially consistent on its own: process order gives version order. */
  sequentialKeys?: boolean;
  /** Each key is linearizable on its own: realtime order gives version order. */
  linearizableKeys?: boolean;
}

/** Version edges per key: key id → version v1 → versions that follow it. */
export type VersionGraphs = Map<number, Map<number, Set<number>>>;

export function link(vg: VersionGraphs, k: number, v1: number, v2: number): void {
  let g = vg.get(k);
  if (!g) vg.set(k, (g = new Map()));
  let s = g.get(v1);
  if (!s) g.set(v1, (s = new Set()));
  s.add(v2);
}

/** True when the graphs hold the edge v1 → v2 of key k. */
export function hasVersionEdge(vg: VersionGraphs, k: number, v1: number, v2: number): boolean {
  return vg.get(k)?.get(v1)?.has(v2) === true;
}

function merged(a: VersionGraphs, b: VersionGraphs): VersionGraphs {
  const out: VersionGraphs = new Map();
  for (const src of [a, b]) for (const [k, g] of src) for (const [v1, vs] of g) for (const v2 of vs) link(out, k, v1, v2);
  return out;
}

/** Nontrivial SCCs of each key's version graph, as versions. */
function versionCycles(vg: VersionGraphs): { k: number; scc: number[] }[] {
  const out: { k: number; scc: number[] }[] = [];
  for (const [k, g] of vg) {
    const ids = new Map<number, number>();
    const names: number[] = [];
    const id = (v: number): number => {
      let i = ids.get(v);
      if (i === undefined) {
        ids.set(v, (i = names.length));
        names.push(v);
      }
      return i;
    };
    const edges = new EdgeList();
    for (const [v1, vs] of g) for (const v2 of vs) edges.add(id(v1), id(v2), 1);
    const s = sccs(toCsr(names.length, edges), 1);
    const members = new Map<number, number[]>();
    names.forEach((v, i) => {
      const c = s.comp[i]!;
      if (s.size[c]! > 1) members.set(c, [...(members.get(c) ?? []), v]);
    });
    for (const scc of members.values()) out.push({ k, scc });
  }
  return out;
}

export interface VersionSource {
  /** Elle's name for the source (initial-state, wfr-keys, sequential-keys, linearizable-keys, ...). */
  name: string;
  build(): VersionGraphs;
}

export interface VersionCycle {
  k: number;
  scc: number[];
  /** The sources accepted so far, and last the one that closed the cycle (and was dropped). */
  sources: string[];
}

/** Merges the sources in order, dropping each one that would make a key's versions cyclic. */
export function mergeSources(sources: readonly VersionSource[]): { graphs: VersionGraphs; accepted: string[]; cycles: VersionCycle[] } {
  let graphs: VersionGraphs = new Map();
  const accepted: string[] = [];
  const cycles: VersionCycle[] = [];
  for (const src of sources) {
    const next = merged(graphs, src.build());
    const found = versionCycles(next);
    if (found.length === 0) {
      graphs = next;
      accepted.push(src.name);
      continue;
    }
    for (const c of found) cycles.push({ ...c, sources: [...accepted, src.name] });
  }
  return { graphs, accepted, cycles };
}

/** How a workload's transactions meet each key, for `fromTxnOrder`. */
export interface KeyVersions {
  /** The keys txn t has a version of (as final or first version). */
  touches(t: number): readonly number[];
  /** The last version of key k txn t left or saw (undefined if none). */
  final(t: number, k: number): number | undefined;
  /** The first version of key k txn t saw or wrote (undefined if none). */
  first(t: number, k: number): number | undefined;
}

/**
 * Version order from a txn order (process or realtime), assuming each key on its own follows that
 * order: the final version a txn left on a key precedes the first version seen or written by the
 * next txns, downstream, that touch that key.
 */
export function fromTxnOrder(tt: TxnTable, addEdges: (tt: TxnTable, e: EdgeList) => void, kv: KeyVersions): VersionGraphs {
  const el = new EdgeList();
  addEdges(tt, el);
  const g = toCsr(tt.n, el);
  // Txn order edges point from earlier to later completions, so a reverse sweep sees every txn
  // after all its successors. down[t]: per key, the nearest downstream txns touching it. Sets
  // are shared with successors until a second one adds to them (copy on write), and dropped
  // once every predecessor has read them.
  const down: (Map<number, Set<number>> | undefined)[] = new Array(tt.n);
  const readers = new Int32Array(tt.n);
  for (let e = 0; e < g.dst.length; e++) readers[g.dst[e]!]!++;
  const vg: VersionGraphs = new Map();
  for (let t = tt.n - 1; t >= 0; t--) {
    const d = new Map<number, Set<number>>();
    const mine = new Set<number>();
    const own = (k: number): Set<number> => {
      const cur = d.get(k);
      if (cur && mine.has(k)) return cur;
      const copy = new Set(cur);
      d.set(k, copy);
      mine.add(k);
      return copy;
    };
    for (let e = g.off[t]!; e < g.off[t + 1]!; e++) {
      const s = g.dst[e]!;
      const touched = kv.touches(s);
      for (const k of touched) own(k).add(s);
      for (const [k, bs] of down[s] ?? []) {
        if (touched.includes(k) || d.get(k) === bs) continue;
        if (!d.has(k)) d.set(k, bs);
        else for (const b of bs) own(k).add(b);
      }
      if (--readers[s]! === 0) down[s] = undefined;
    }
    if (readers[t]! > 0) down[t] = d;
    for (const k of kv.touches(t)) {
      const v1 = kv.final(t, k);
      if (v1 === undefined) continue;
      for (const b of d.get(k) ?? []) {
        const v2 = kv.first(b, k);
        if (v2 !== undefined && v2 !== v1) link(vg, k, v1, v2);
      }
    }
  }
  return vg;
}
