/**
 * Cycle search over the dependency graph, one strongly connected component at a time.
 *
 * First a cheap existence pass (as Elle's `*-cycle-exists`): for each model, is there a cycle in
 * the subgraph it forbids? Snapshot isolation's subgraph is the sequential extension A ∪ A;rw,
 * searched as a two-layer graph. Then, for each cycle anomaly the existence pass has not ruled
 * out, a shortest cycle of exactly that class is searched for: every edge is classified by the
 * first relation that explains it (list-append ww > wr > rw > process/realtime), and a BFS over
 * (vertex × small automaton state) starts from an edge of the anomaly's first kind. Work is
 * counted in edge visits; past the budget the component reports `cycle-search-timeout`.
 */
import { allImpliedAnomalies, allImpossibleModels, anomaliesProhibitedBy, canonicalModel, friendlyModel } from './model.ts';
import { EdgeList, PROCESS, REALTIME, RW, WR, WW, sccs, toCsr, type Csr, type Sccs } from './graph.ts';

/** Edge classes after classification. */
const C_WW = 0;
const C_WR = 1;
const C_RW = 2;
const C_VAR = 3;
const C_NONE = 255;

interface ExistsSpec {
  model: string;
  /** Edge bits of a union subgraph, or the two sides of a sequential extension. */
  union?: number;
  ext?: [number, number];
  subgraph: unknown;
}

const U = (...names: string[]): string[] => ['union', ...names];
const EXISTS_SPECS: readonly ExistsSpec[] = [
  { model: 'PL-1', union: WW, subgraph: U('ww', 'wwp') },
  { model: 'PL-2', union: WW | WR, subgraph: U('ww', 'wwp', 'wr', 'wrp') },
  { model: 'PL-SI', ext: [WW | WR, RW], subgraph: ['extension', U('ww', 'wwp', 'wr', 'wrp'), U('rw', 'rwp')] },
  { model: 'PL-2.99', union: WW | WR | RW, subgraph: U('ww', 'wwp', 'wr', 'wrp', 'rw') },
  { model: 'PL-3', union: WW | WR | RW, subgraph: U('ww', 'wwp', 'wr', 'wrp', 'rw', 'rwp') },
  { model: 'strong-session-PL-1', union: WW | PROCESS, subgraph: U('ww', 'wwp', 'process') },
  { model: 'strong-session-PL-2', union: WW | WR | PROCESS, subgraph: U('ww', 'wwp', 'wr', 'wrp', 'process') },
  {
    model: 'strong-session-snapshot-isolation',
    ext: [WW | WR | PROCESS, RW],
    subgraph: ['extension', U('ww', 'wwp', 'wr', 'wrp', 'process'), U('rw', 'rwp')],
  },
  { model: 'strong-session-serializable', union: WW | WR | RW | PROCESS, subgraph: U('ww', 'wwp', 'wr', 'wrp', 'rw', 'rwp', 'process') },
  { model: 'strong-PL-1', union: WW | REALTIME, subgraph: U('ww', 'wwp', 'realtime') },
  { model: 'strong-PL-2', union: WW | WR | REALTIME, subgraph: U('ww', 'wwp', 'wr', 'wrp', 'realtime') },
  {
    model: 'strong-snapshot-isolation',
    ext: [WW | WR | REALTIME, RW],
    subgraph: ['extension', U('ww', 'wwp', 'wr', 'wrp', 'realtime'), U('rw', 'rwp')],
  },
  { model: 'PL-SS', union: WW | WR | RW | REALTIME, subgraph: U('ww', 'wwp', 'wr', 'wrp', 'rw', 'rwp', 'realtime') },
];

/** Cycle anomaly types in Elle's search order (least implied first). */
export const CYCLE_TYPES: readonly string[] = [
  'G-single-item',
  'G0',
  'G-nonadjacent-item',
  'G-single-item-process',
  'G1c',
  'G-nonadjacent-item-process',
  'G-single',
  'G-single-item-realtime',
  'G2-item',
  'G-nonadjacent',
  'G-nonadjacent-item-realtime',
  'G2',
  'G0-process',
  'G1c-process',
  'G-single-process',
  'G2-item-process',
  'G-nonadjacent-process',
  'G2-process',
  'G0-realtime',
  'G1c-realtime',
  'G-single-realtime',
  'G2-item-realtime',
  'G-nonadjacent-realtime',
  'G2-realtime',
];

export interface FoundCycle {
  type: string;
  /** Txn ids around the cycle, the first repeated at the end. */
  txns: number[];
}

export interface CycleSearchResult {
  cycles: FoundCycle[];
  /** Cycle-exists and cycle-search-timeout cases by type, in Elle's shape (scc as txn ids). */
  other: Map<string, Record<string, unknown>[]>;
  /** Edge visits spent. */
  work: number;
}

export interface CycleSearchOptions {
  /** Which data relation explains a step first, e.g. [WW, WR, RW] for list-append. */
  dataPriority: readonly number[];
  /** Maximum edge visits for the typed search over the whole graph. */
  budget: number;
}

/** The class of each edge: its first relation in priority order, data before process/realtime. */
function classifyEdges(g: Csr, dataPriority: readonly number[]): Uint8Array {
  const cls = new Uint8Array(g.rel.length);
  const classOf = new Map<number, number>([
    [WW, C_WW],
    [WR, C_WR],
    [RW, C_RW],
  ]);
  for (let e = 0; e < g.rel.length; e++) {
    const r = g.rel[e]!;
    let c = C_NONE;
    for (const p of dataPriority) {
      if (r & p) {
        c = classOf.get(p)!;
        break;
      }
    }
    if (c === C_NONE && r & (PROCESS | REALTIME)) c = C_VAR;
    cls[e] = c;
  }
  return cls;
}

/** The cycle anomaly type of a closed walk of edge classes, as Elle's explainer names it. */
function classifyCycle(classes: readonly number[], variant: 'process' | 'realtime' | ''): string {
  let rw = 0;
  let wr = 0;
  let vars = 0;
  let adjacent = false;
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i]!;
    if (c === C_RW) {
      rw++;
      if (classes[(i + classes.length - 1) % classes.length] === C_RW) adjacent = true;
    } else if (c === C_WR) wr++;
    else if (c === C_VAR) vars++;
  }
  const base = rw === 1 ? 'G-single-item' : rw > 1 ? (adjacent ? 'G2-item' : 'G-nonadjacent-item') : wr > 0 ? 'G1c' : 'G0';
  return vars > 0 && variant ? `${base}-${variant}` : base;
}

// Automaton state bits.
const S_VAR = 1;
const S_LAST_RW = 2;
const S_MANY_RW = 4;
const S_NEED_RW = 8;
const STATES = 16;

interface Automaton {
  start: number;
  init: number;
  /** Classes the rest of the cycle may use (bit per class), for pruning. */
  restMask: number;
  step(s: number, c: number): number;
  accept(s: number): boolean;
}

function automaton(base: string, variant: boolean): Automaton | undefined {
  const varStep = (s: number): number => (variant ? s | S_VAR : -1);
  const varOk = (s: number): boolean => !variant || (s & S_VAR) !== 0;
  const vm = variant ? 1 << C_VAR : 0;
  switch (base) {
    case 'G0':
      return { start: C_WW, init: 0, restMask: (1 << C_WW) | vm, step: (s, c) => (c === C_WW ? s : c === C_VAR ? varStep(s) : -1), accept: varOk };
    case 'G1c':
      return {
        start: C_WR,
        init: 0,
        restMask: (1 << C_WW) | (1 << C_WR) | vm,
        step: (s, c) => (c === C_WW || c === C_WR ? s : c === C_VAR ? varStep(s) : -1),
        accept: varOk,
      };
    case 'G-single-item':
      return {
        start: C_RW,
        init: 0,
        restMask: (1 << C_WW) | (1 << C_WR) | vm,
        step: (s, c) => (c === C_WW || c === C_WR ? s : c === C_VAR ? varStep(s) : -1),
        accept: varOk,
      };
    case 'G-nonadjacent-item':
      return {
        start: C_RW,
        init: S_LAST_RW,
        restMask: (1 << C_WW) | (1 << C_WR) | (1 << C_RW) | vm,
        step: (s, c) => {
          if (c === C_WW || c === C_WR) return s & ~S_LAST_RW;
          if (c === C_VAR) return variant ? (s | S_VAR) & ~S_LAST_RW : -1;
          if (c === C_RW) return s & S_LAST_RW ? -1 : s | S_LAST_RW | S_MANY_RW;
          return -1;
        },
        accept: (s) => (s & S_LAST_RW) === 0 && (s & S_MANY_RW) !== 0 && varOk(s),
      };
    case 'G2-item':
      return {
        start: C_RW,
        init: S_NEED_RW,
        restMask: (1 << C_WW) | (1 << C_WR) | (1 << C_RW) | vm,
        step: (s, c) => {
          if (s & S_NEED_RW) return c === C_RW ? s & ~S_NEED_RW : -1;
          if (c === C_WW || c === C_WR || c === C_RW) return s;
          return c === C_VAR ? varStep(s) : -1;
        },
        accept: (s) => (s & S_NEED_RW) === 0 && varOk(s),
      };
    default:
      // G-single, G-nonadjacent and G2 need predicate edges, which these workloads never infer.
      return undefined;
  }
}

class OutOfBudget extends Error {}

/** Searches every nontrivial SCC; `variant` says which of process/realtime edges the graph has. */
export function searchCycles(g: Csr, variant: 'process' | 'realtime' | '', opts: CycleSearchOptions): CycleSearchResult {
  const other = new Map<string, Record<string, unknown>[]>();
  const cycles: FoundCycle[] = [];
  const full = sccs(g, 0xff);
  const inScc = new Uint8Array(g.n);
  let any = false;
  for (let v = 0; v < g.n; v++) {
    if (full.size[full.comp[v]!]! > 1) {
      inScc[v] = 1;
      any = true;
    }
  }
  if (!any) return { cycles, other, work: 0 };

  const comps = new Map<number, number[]>();
  for (let v = 0; v < g.n; v++) {
    if (!inScc[v]) continue;
    const c = full.comp[v]!;
    const list = comps.get(c);
    if (list) list.push(v);
    else comps.set(c, [v]);
  }

  // Existence pass: per component, the models whose forbidden subgraph has a cycle there.
  const redundantModels = new Map<number, Set<string>>();
  const foundModels = new Map<number, string[]>();
  for (const c of comps.keys()) {
    redundantModels.set(c, new Set());
    foundModels.set(c, []);
  }
  for (const spec of EXISTS_SPECS) {
    const live = [...comps.keys()].filter((c) => !redundantModels.get(c)!.has(spec.model));
    if (live.length === 0) continue;
    const smallest = spec.ext ? extensionSccs(g, inScc, full, spec.ext) : unionSccs(g, inScc, full, spec.union!);
    for (const c of live) {
      const members = smallest.get(c);
      if (!members) continue;
      const type = `${spec.model}-cycle-exists`;
      const list = other.get(type) ?? [];
      list.push({ type, not: friendlyModel(spec.model), subgraph: spec.subgraph, 'scc-size': members.length, scc: members });
      other.set(type, list);
      foundModels.get(c)!.push(spec.model);
      for (const m of allImpossibleModels([spec.model])) redundantModels.get(c)!.add(m);
    }
  }

  // Typed search.
  const cls = classifyEdges(g, opts.dataPriority);
  const clsBits = new Uint8Array(cls.length);
  for (let e = 0; e < cls.length; e++) clsBits[e] = cls[e] === C_NONE ? 0 : 1 << cls[e]!;
  const restSccs = new Map<number, Sccs>();
  const restOf = (mask: number): Sccs => {
    let s = restSccs.get(mask);
    if (!s) restSccs.set(mask, (s = sccs(g, mask, inScc, clsBits)));
    return s;
  };
  const specModels = EXISTS_SPECS.map((s) => canonicalModel(s.model));
  const search = new ProductSearch(g, cls, full, comps, opts.budget);
  for (const [c, members] of comps) {
    const impossible = allImpossibleModels(foundModels.get(c)!);
    const possible = specModels.filter((m) => !impossible.has(m));
    const redundant = new Set([...anomaliesProhibitedBy(possible)].filter((a) => CYCLE_TYPES.includes(a)));
    const searched: string[] = [];
    const foundTypes: string[] = [];
    try {
      for (const type of CYCLE_TYPES) {
        if (redundant.has(type)) continue;
        const v = type.endsWith('-process') ? 'process' : type.endsWith('-realtime') ? 'realtime' : '';
        if (v !== '' && v !== variant) continue;
        const a = automaton(v ? type.slice(0, -v.length - 1) : type, v !== '');
        searched.push(type);
        if (!a) continue;
        const cycle = search.find(c, members, a, restOf(a.restMask), type, variant);
        if (!cycle) continue;
        cycles.push({ type, txns: cycle });
        foundTypes.push(type);
        for (const x of allImpliedAnomalies([type])) redundant.add(x);
      }
    } catch (e) {
      if (!(e instanceof OutOfBudget)) throw e;
      const list = other.get('cycle-search-timeout') ?? [];
      list.push({
        type: 'cycle-search-timeout',
        'anomaly-spec-type': searched[searched.length - 1],
        'does-not-contain': searched.slice(0, -1).filter((t) => !foundTypes.includes(t)),
        'scc-size': members.length,
      });
      other.set('cycle-search-timeout', list);
    }
  }
  return { cycles, other, work: search.work };
}

/** Smallest nontrivial SCC of a masked subgraph within each full component. */
function unionSccs(g: Csr, inScc: Uint8Array, full: Sccs, mask: number): Map<number, number[]> {
  const s = sccs(g, mask, inScc);
  const best = new Map<number, number>();
  for (let v = 0; v < g.n; v++) {
    if (!inScc[v]) continue;
    const c = s.comp[v]!;
    if (s.size[c]! < 2) continue;
    const f = full.comp[v]!;
    const b = best.get(f);
    if (b === undefined || s.size[c]! < s.size[b]!) best.set(f, c);
  }
  return membersOf(s, best, g.n);
}

/** The vertices (below n) of each chosen SCC, keyed by the full component it was chosen for. */
function membersOf(s: Sccs, best: Map<number, number>, n: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  const want = new Map<number, number>();
  for (const [f, c] of best) want.set(c, f);
  for (let v = 0; v < n; v++) {
    const f = want.get(s.comp[v]!);
    if (f === undefined) continue;
    const list = out.get(f);
    if (list) list.push(v);
    else out.set(f, [v]);
  }
  return out;
}

/**
 * Cycles of the sequential extension A ∪ A;B: vertex v has a copy v' reached by A edges and
 * left by B edges, so a cycle through copies takes each B edge right after an A edge.
 */
function extensionSccs(g: Csr, inScc: Uint8Array, full: Sccs, [a, b]: [number, number]): Map<number, number[]> {
  const n = g.n;
  const edges = new EdgeList();
  for (let v = 0; v < n; v++) {
    if (!inScc[v]) continue;
    for (let e = g.off[v]!; e < g.off[v + 1]!; e++) {
      const w = g.dst[e]!;
      const r = g.rel[e]!;
      if (!inScc[w]) continue;
      if (r & a) {
        edges.add(v, w, 1);
        edges.add(v, n + w, 1);
      }
      if (r & b) edges.add(n + v, w, 1);
    }
  }
  const layered = toCsr(2 * n, edges);
  const s = sccs(layered, 1);
  const mainCount = new Int32Array(s.count);
  for (let v = 0; v < n; v++) if (inScc[v] && s.comp[v]! >= 0) mainCount[s.comp[v]!]!++;
  const best = new Map<number, number>();
  for (let v = 0; v < n; v++) {
    if (!inScc[v]) continue;
    const c = s.comp[v]!;
    if (c < 0 || s.size[c]! < 2) continue;
    const f = full.comp[v]!;
    const bc = best.get(f);
    if (bc === undefined || mainCount[c]! < mainCount[bc]!) best.set(f, c);
  }
  return membersOf(s, best, n);
}

/** Extra start edges tried after the first hit, looking for a shorter cycle. */
const EXTRA_STARTS = 4;

/** BFS over (vertex × automaton state) inside one component, with shared scratch arrays. */
class ProductSearch {
  work = 0;
  private readonly g: Csr;
  private readonly cls: Uint8Array;
  private readonly full: Sccs;
  private readonly budget: number;
  /** Scratch, indexed by (position of the vertex in its component) × STATES + state. */
  private readonly seen: Int32Array;
  private readonly parent: Int32Array;
  private readonly queue: Int32Array;
  /** Position of each vertex within its component's member list. */
  private readonly local: Int32Array;
  private generation = 0;

  constructor(g: Csr, cls: Uint8Array, full: Sccs, comps: Map<number, number[]>, budget: number) {
    this.g = g;
    this.cls = cls;
    this.full = full;
    this.budget = budget;
    let max = 0;
    this.local = new Int32Array(g.n).fill(-1);
    for (const members of comps.values()) {
      max = Math.max(max, members.length);
      members.forEach((v, i) => (this.local[v] = i));
    }
    this.seen = new Int32Array(max * STATES);
    this.parent = new Int32Array(max * STATES);
    this.queue = new Int32Array(max * STATES);
  }

  find(comp: number, members: readonly number[], a: Automaton, rest: Sccs, type: string, variant: 'process' | 'realtime' | ''): number[] | undefined {
    const { g, cls, full } = this;
    let best: number[] | undefined;
    let extra = 0;
    for (const u of members) {
      for (let e = g.off[u]!; e < g.off[u + 1]!; e++) {
        if (cls[e] !== a.start) continue;
        const v = g.dst[e]!;
        if (full.comp[v] !== comp || rest.comp[v]! < rest.comp[u]!) continue;
        const walk = this.bfs(comp, members, u, v, a, rest);
        if (!walk) continue;
        const cycle = this.simplify(walk, type, variant);
        if (!cycle) continue;
        if (!best || cycle.length < best.length) best = cycle;
        if (best.length === 3 || ++extra > EXTRA_STARTS) return best;
      }
    }
    return best;
  }

  /** Shortest walk u → v → ... → u whose classes drive the automaton to acceptance. */
  private bfs(comp: number, members: readonly number[], u: number, v: number, a: Automaton, rest: Sccs): number[] | undefined {
    const { g, cls, full, seen, parent, queue, local } = this;
    const gen = ++this.generation;
    const target = rest.comp[u]!;
    let head = 0;
    let tail = 0;
    const startNode = local[v]! * STATES + a.init;
    seen[startNode] = gen;
    parent[startNode] = -1;
    queue[tail++] = startNode;
    while (head < tail) {
      const node = queue[head++]!;
      const x = members[(node / STATES) | 0]!;
      const s = node % STATES;
      for (let e = g.off[x]!; e < g.off[x + 1]!; e++) {
        if (++this.work > this.budget) throw new OutOfBudget();
        const c = cls[e]!;
        const s2 = a.step(s, c);
        if (s2 < 0) continue;
        const y = g.dst[e]!;
        if (y === u) {
          if (!a.accept(s2)) continue;
          const path = [u];
          for (let p = node; p >= 0; p = parent[p]!) path.push(members[(p / STATES) | 0]!);
          path.push(u);
          return path.reverse();
        }
        if (full.comp[y] !== comp || rest.comp[y]! < target) continue;
        const n2 = local[y]! * STATES + s2;
        if (seen[n2] === gen) continue;
        seen[n2] = gen;
        parent[n2] = node;
        queue[tail++] = n2;
      }
    }
    return undefined;
  }

  /** Turns a closed walk into a simple cycle of the same type, or undefined. */
  private simplify(walk: number[], type: string, variant: 'process' | 'realtime' | ''): number[] | undefined {
    const classes = this.walkClasses(walk);
    if (!classes || classifyCycle(classes, variant) !== type) return undefined;
    const firstAt = new Map<number, number>();
    for (let i = 0; i < walk.length - 1; i++) {
      const j = firstAt.get(walk[i]!);
      if (j === undefined) {
        firstAt.set(walk[i]!, i);
        continue;
      }
      const inner = walk.slice(j, i + 1);
      const outer = [...walk.slice(0, j), ...walk.slice(i)];
      return this.simplify(inner, type, variant) ?? this.simplify(outer, type, variant);
    }
    return walk;
  }

  /** Edge classes along a walk (the best class among parallel edges is unique after CSR merging). */
  private walkClasses(walk: number[]): number[] | undefined {
    const out: number[] = [];
    for (let i = 0; i + 1 < walk.length; i++) {
      const e = this.edge(walk[i]!, walk[i + 1]!);
      if (e < 0) return undefined;
      out.push(this.cls[e]!);
    }
    return out;
  }

  private edge(a: number, b: number): number {
    for (let e = this.g.off[a]!; e < this.g.off[a + 1]!; e++) if (this.g.dst[e] === b) return e;
    return -1;
  }
}
