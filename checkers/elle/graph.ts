/**
 * The transaction dependency graph: edges with relation bits (ww, wr, rw, process, realtime),
 * stored as a compressed adjacency list (CSR) with duplicate edges merged, and an iterative
 * Tarjan SCC that looks only at edges carrying some of the requested bits.
 */
import { IntVec } from './int-vec.ts';

export const WW = 1;
export const WR = 2;
export const RW = 4;
export const PROCESS = 8;
export const REALTIME = 16;
export const DATA = WW | WR | RW;

export const REL_NAMES: ReadonlyArray<readonly [number, string]> = [
  [WW, 'ww'],
  [WR, 'wr'],
  [RW, 'rw'],
  [PROCESS, 'process'],
  [REALTIME, 'realtime'],
];

export class EdgeList {
  readonly src: IntVec;
  readonly dst: IntVec;
  readonly rel: IntVec;

  /** `capacity`: the expected number of edges (the lists grow past it as needed). */
  constructor(capacity = 1 << 12) {
    this.src = new IntVec(capacity);
    this.dst = new IntVec(capacity);
    this.rel = new IntVec(capacity);
  }

  /** Adds a → b with relation bits; self-edges are never recorded. */
  add(a: number, b: number, rel: number): void {
    if (a === b) return;
    this.src.push(a);
    this.dst.push(b);
    this.rel.push(rel);
  }
}

export interface Csr {
  n: number;
  /** Out-edges of v are positions off[v] .. off[v+1]-1 of `dst` / `rel`. */
  off: Int32Array;
  dst: Int32Array;
  rel: Uint8Array;
}

/** Builds the CSR, merging parallel edges by OR-ing their relation bits. */
export function toCsr(n: number, edges: EdgeList): Csr {
  const m = edges.src.length;
  const src = edges.src.data;
  const dstIn = edges.dst.data;
  const relIn = edges.rel.data;
  const count = new Int32Array(n + 1);
  for (let i = 0; i < m; i++) count[src[i]! + 1]!++;
  for (let v = 0; v < n; v++) count[v + 1]! += count[v]!;
  const fill = count.slice(0, n);
  const dst = new Int32Array(m);
  const rel = new Uint8Array(m);
  for (let i = 0; i < m; i++) {
    const p = fill[src[i]!]!++;
    dst[p] = dstIn[i]!;
    rel[p] = relIn[i]!;
  }
  // Merge duplicates within each adjacency list; `seen[d]` holds the merged slot of d for v.
  const seen = new Int32Array(n).fill(-1);
  const off = new Int32Array(n + 1);
  let w = 0;
  for (let v = 0; v < n; v++) {
    off[v] = w;
    const start = w;
    for (let p = count[v]!; p < count[v + 1]!; p++) {
      const d = dst[p]!;
      const s = seen[d]!;
      if (s >= start) {
        rel[s]! |= rel[p]!;
      } else {
        seen[d] = w;
        dst[w] = d;
        rel[w] = rel[p]!;
        w++;
      }
    }
  }
  off[n] = w;
  return { n, off, dst: dst.slice(0, w), rel: rel.slice(0, w) };
}

/** Number of vertices with at least one edge, in or out. */
export function connectedVertexCount(g: Csr): number {
  const touched = new Uint8Array(g.n);
  for (let v = 0; v < g.n; v++) {
    if (g.off[v + 1]! > g.off[v]!) touched[v] = 1;
  }
  for (let i = 0; i < g.dst.length; i++) touched[g.dst[i]!] = 1;
  let c = 0;
  for (let v = 0; v < g.n; v++) c += touched[v]!;
  return c;
}

export interface Sccs {
  /** Component of each vertex (-1 for vertices outside `only`). Components are numbered in reverse topological order. */
  comp: Int32Array;
  size: Int32Array;
  count: number;
}

/**
 * Strongly connected components over edges having any bit of `mask` (in `rels`, by default the
 * relation bits), restricted to vertices with only[v] !== 0 when `only` is given.
 */
export function sccs(g: Csr, mask: number, only?: Uint8Array, rels: Uint8Array = g.rel): Sccs {
  const n = g.n;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  let sp = 0;
  const callV = new Int32Array(n);
  const callE = new Int32Array(n);
  let counter = 0;
  const sizes = new IntVec(64);
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1 || (only && only[root] === 0)) continue;
    let depth = 0;
    callV[0] = root;
    callE[0] = g.off[root]!;
    index[root] = low[root] = counter++;
    stack[sp++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const v = callV[depth]!;
      let e = callE[depth]!;
      const end = g.off[v + 1]!;
      let descended = false;
      while (e < end) {
        const w = g.dst[e]!;
        const r = rels[e]!;
        e++;
        if ((r & mask) === 0 || (only && only[w] === 0)) continue;
        if (index[w] === -1) {
          callE[depth] = e;
          depth++;
          callV[depth] = w;
          callE[depth] = g.off[w]!;
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          descended = true;
          break;
        } else if (onStack[w] === 1 && index[w]! < low[v]!) {
          low[v] = index[w]!;
        }
      }
      if (descended) continue;
      if (low[v] === index[v]) {
        const c = sizes.length;
        let size = 0;
        let x: number;
        do {
          x = stack[--sp]!;
          onStack[x] = 0;
          comp[x] = c;
          size++;
        } while (x !== v);
        sizes.push(size);
      }
      depth--;
      if (depth >= 0) {
        const parent = callV[depth]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
    }
  }
  return { comp, size: sizes.toArray(), count: sizes.length };
}
