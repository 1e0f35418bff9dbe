/**
 * Grudges (node -> nodes whose packets it drops) and the partition shapes nemeses draw from:
 * one node isolated, the primaries isolated, random halves, majority/minority, majorities ring,
 * bridge, one-way cuts; with a topology, one region cut off and a WAN split between two groups of
 * regions, and the cut extended to the regions' clients.
 * Pure functions; randomness comes from the caller's Rng so a seed fixes the shapes.
 */
import type { Rng } from '../core/generator.ts';
import type { Grudge, Link } from '../core/provider.ts';
import { clientEndpoint, type Topology } from '../core/topology.ts';

/** Every node drops packets from every node outside its own component. */
export function completeGrudge(components: readonly (readonly string[])[]): Grudge {
  const g: Record<string, string[]> = {};
  for (const comp of components) {
    const others = components.filter((c) => c !== comp).flat();
    for (const n of comp) g[n] = [...others].sort();
  }
  return g;
}

export function shuffle<T>(xs: readonly T[], rng: Rng): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/** One node cut off from all others, both ways. */
export function isolate(node: string, nodes: readonly string[]): Grudge {
  return completeGrudge([[node], nodes.filter((n) => n !== node)]);
}

/**
 * Every primary cut off alone, from the other primaries too; the other nodes stay together. One
 * primary: it against the rest. Several (a multi-leader store): each keeps accepting writes
 * that no other primary sees, the split brain such stores must survive.
 */
export function isolatePrimaries(primaries: readonly string[], nodes: readonly string[]): Grudge {
  const others = nodes.filter((n) => !primaries.includes(n));
  return completeGrudge([...primaries.map((p) => [p]), ...(others.length ? [others] : [])]);
}

/** Nodes split into two halves: the first floor(n/2) of a shuffle against the rest. */
export function randomHalves(nodes: readonly string[], rng: Rng): Grudge {
  const s = shuffle(nodes, rng);
  const k = Math.floor(s.length / 2);
  return completeGrudge([s.slice(0, k), s.slice(k)]);
}

/** A majority (ceil((n+1)/2)) and a minority, chosen at random. */
export function majorityMinority(nodes: readonly string[], rng: Rng): Grudge {
  const s = shuffle(nodes, rng);
  const k = Math.floor(s.length / 2) + 1;
  return completeGrudge([s.slice(0, k), s.slice(k)]);
}

/**
 * Majorities ring: arranged in a ring, each node sees only its nearest neighbours, a majority
 * that overlaps the majorities its neighbours see, so every node believes it is in a majority.
 */
export function majoritiesRing(nodes: readonly string[], rng: Rng): Grudge {
  const ring = shuffle(nodes, rng);
  const n = ring.length;
  const m = Math.floor(n / 2) + 1;
  const g: Record<string, string[]> = {};
  ring.forEach((node, i) => {
    const visible = new Set<string>();
    for (let d = -Math.floor((m - 1) / 2); visible.size < m; d++) visible.add(ring[(((i + d) % n) + n) % n] as string);
    g[node] = ring.filter((x) => !visible.has(x)).sort();
  });
  return g;
}

/** Two halves that can talk only through one bridge node, which sees both. */
export function bridge(nodes: readonly string[], rng: Rng): Grudge {
  const s = shuffle(nodes, rng);
  const k = Math.floor(s.length / 2);
  const mid = s[k] as string;
  const left = s.slice(0, k);
  const right = s.slice(k + 1);
  const g = completeGrudge([left, right]) as Record<string, string[]>;
  g[mid] = [];
  for (const n of left) g[n] = right;
  for (const n of right) g[n] = left;
  return g;
}

/** One-way cut: each node of `receivers` stops hearing each node of `senders`; the reverse flows. */
export function oneWay(senders: readonly string[], receivers: readonly string[]): Grudge {
  const g: Record<string, string[]> = {};
  for (const r of receivers) g[r] = senders.filter((s) => s !== r);
  return g;
}

/** The directed links a grudge cuts: for `{a: [b]}`, packets from b to a. Sorted, no duplicates. */
export function grudgeLinks(grudge: Grudge): Link[] {
  const seen = new Set<string>();
  const links: Link[] = [];
  for (const [to, froms] of Object.entries(grudge)) {
    for (const from of froms) {
      const key = `${from}>${to}`;
      if (from === to || seen.has(key)) continue;
      seen.add(key);
      links.push({ from, to });
    }
  }
  return links.sort((a, b) => (a.from === b.from ? a.to.localeCompare(b.to) : a.from.localeCompare(b.from)));
}

/** Throws naming the first node a grudge mentions that the cluster does not have. */
export function checkGrudgeNodes(grudge: Grudge, nodes: readonly string[], onError: (msg: string) => Error): void {
  const known = new Set(nodes);
  for (const [to, froms] of Object.entries(grudge)) {
    for (const n of [to, ...froms]) if (!known.has(n)) throw onError(`grudge names node ${JSON.stringify(n)}, which the cluster does not have (nodes: ${nodes.join(', ')})`);
  }
}

/** A partition along region lines: the grudge, and the regions on each side (the cut-off side first). */
export interface RegionCut {
  grudge: Grudge;
  sides: [string[], string[]];
}

function cutRegions(topology: Topology, side: readonly string[]): RegionCut {
  const inSide = topology.regions.filter((r) => side.includes(r.name));
  const rest = topology.regions.filter((r) => !side.includes(r.name));
  return {
    grudge: completeGrudge([inSide.flatMap((r) => r.nodes), rest.flatMap((r) => r.nodes)]),
    sides: [inSide.map((r) => r.name), rest.map((r) => r.name)],
  };
}

/** One region cut off from every other, both ways; its nodes still talk among themselves. */
export function isolateRegion(topology: Topology, region: string): RegionCut {
  if (!topology.regions.some((r) => r.name === region)) throw new Error(`no region ${JSON.stringify(region)} (regions: ${topology.regions.map((r) => r.name).join(', ')})`);
  return cutRegions(topology, [region]);
}

/**
 * The WAN links between two groups of regions cut, both ways: the regions shuffled and split at a
 * random point (each group gets at least one). The group with fewer nodes comes first (the
 * cut-off side); with three regions this is one region against the other two.
 */
export function wanSplit(topology: Topology, rng: Rng): RegionCut {
  const order = shuffle(topology.regions.map((r) => r.name), rng);
  const k = 1 + rng.int(Math.max(1, order.length - 1));
  const cut = cutRegions(topology, order.slice(0, k));
  const size = (names: readonly string[]) => topology.regions.filter((r) => names.includes(r.name)).reduce((n, r) => n + r.nodes.length, 0);
  if (size(cut.sides[1]) < size(cut.sides[0])) return cutRegions(topology, cut.sides[1]);
  return cut;
}

/**
 * The grudge with each region's clients (`clients@<region>`) added: clients share their region's
 * fate. A region's clients stop hearing a node of another region when every node of their region
 * does, and that node stops hearing them when it stops hearing every node of their region. Within
 * a region clients are never cut.
 */
export function withRegionClients(grudge: Grudge, topology: Topology): Grudge {
  const out: Record<string, string[]> = Object.fromEntries(Object.entries(grudge).map(([k, v]) => [k, [...v]]));
  const drops = (to: string, from: string): boolean => (grudge[to] ?? []).includes(from);
  for (const r of topology.regions) {
    const client = clientEndpoint(r.name);
    for (const other of topology.regions) {
      if (other === r) continue;
      for (const x of other.nodes) {
        if (r.nodes.every((y) => drops(x, y))) out[x] = [...(out[x] ?? []), client];
        if (r.nodes.every((y) => drops(y, x))) out[client] = [...(out[client] ?? []), x];
      }
    }
  }
  return out;
}
