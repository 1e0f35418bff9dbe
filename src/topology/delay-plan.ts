/**
 * The per-link delay plan of a topology: for every directed pair of endpoints in different
 * regions, the one-way delay and jitter of the WAN link between their regions. Endpoints are the
 * nodes, and on providers that place clients in regions (local) one client endpoint per region,
 * `clients@<region>`, whose traffic to other regions' nodes crosses the WAN like the nodes' own.
 * Pairs within a region and links of zero delay and jitter are left out: they add nothing.
 * Pure; the providers turn the plan into delay helpers and queueing rules (src/net/).
 */
import type { Link } from '../core/provider.ts';
import { clientEndpoint, linkBetween, type Topology } from '../core/topology.ts';

/** A node or a region's clients, and the region it is in. */
export interface Endpoint {
  readonly name: string;
  readonly region: string;
}

/** One directed pair and what its packets are held for. */
export interface LinkDelay extends Link {
  readonly delayMs: number;
  readonly jitterMs: number;
}

/** The links that share one delay and jitter: one delay helper serves them all. */
export interface DelayClass {
  readonly delayMs: number;
  readonly jitterMs: number;
  readonly links: readonly Link[];
}

/** The nodes as endpoints, and with `clients` one client endpoint per region. */
export function topologyEndpoints(topology: Topology, o: { clients: boolean }): Endpoint[] {
  const nodes = topology.regions.flatMap((r) => r.nodes.map((n) => ({ name: n, region: r.name })));
  return o.clients ? [...nodes, ...topology.regions.map((r) => ({ name: clientEndpoint(r.name), region: r.name }))] : nodes;
}

/**
 * Every directed pair of endpoints in different regions with a delay or jitter, sorted by
 * (from, to). Client endpoints never exchange packets with each other, so those pairs are left out.
 */
export function wanDelays(topology: Topology, endpoints: readonly Endpoint[]): LinkDelay[] {
  const isClient = new Set(topology.regions.map((r) => clientEndpoint(r.name)));
  const out: LinkDelay[] = [];
  for (const a of endpoints) {
    for (const b of endpoints) {
      if (a.region === b.region || (isClient.has(a.name) && isClient.has(b.name))) continue;
      const link = linkBetween(topology, a.region, b.region);
      if (!link) continue;
      const delayMs = link.oneWayMs[0];
      if (delayMs === 0 && link.jitterMs === 0) continue;
      out.push({ from: a.name, to: b.name, delayMs, jitterMs: link.jitterMs });
    }
  }
  return out.sort((x, y) => (x.from === y.from ? x.to.localeCompare(y.to) : x.from.localeCompare(y.from)));
}

/** Links grouped by (delay, jitter), in order of first appearance. */
export function delayClasses(links: readonly LinkDelay[]): DelayClass[] {
  const classes = new Map<string, { delayMs: number; jitterMs: number; links: Link[] }>();
  for (const l of links) {
    const key = `${l.delayMs}/${l.jitterMs}`;
    let c = classes.get(key);
    if (!c) classes.set(key, (c = { delayMs: l.delayMs, jitterMs: l.jitterMs, links: [] }));
    c.links.push({ from: l.from, to: l.to });
  }
  return [...classes.values()];
}
