/**
 * A deployment topology: the nodes placed in regions, and the WAN between regions (round-trip
 * latency with jitter, optionally different in each direction). It is the network's steady state
 * for the whole run, not a fault: the provider delays every packet between regions from set-up to
 * teardown, and the partition nemesis can cut along region lines. Profiles are values; built-in
 * ones have names (`faultline list`), a user's own comes from a JSON file (src/topology/).
 */

/** A region and the nodes placed in it. */
export interface Region {
  /** Lowercase letters, digits and `-`, e.g. "us-east". */
  readonly name: string;
  /** Node names; every node of the cluster is in exactly one region. */
  readonly nodes: readonly string[];
}

/** The WAN link between two regions. Nodes of one region talk to each other without added delay. */
export interface WanLink {
  /** The two regions it joins. */
  readonly between: readonly [string, string];
  /**
   * Delay added to every packet, one way, in ms: `[from between[0] to between[1], back]`. Equal
   * halves of the round trip for a symmetric link; different ones for an asymmetric WAN path.
   */
  readonly oneWayMs: readonly [number, number];
  /** Uniform jitter on top, per packet and direction, in [0, jitterMs) ms (it reorders packets). */
  readonly jitterMs: number;
}

/** A topology placed on a cluster: every node in one region, a link between every two regions. */
export interface Topology {
  /** The built-in profile's name, or the file it was read from. */
  readonly name: string;
  readonly description?: string;
  readonly regions: readonly Region[];
  readonly links: readonly WanLink[];
}

/** The region of each node. */
export function regionOf(topology: Topology): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of topology.regions) for (const n of r.nodes) m.set(n, r.name);
  return m;
}

/** The link between two regions, with its delays oriented from `a` to `b`; undefined within a region. */
export function linkBetween(topology: Topology, a: string, b: string): { oneWayMs: readonly [number, number]; jitterMs: number } | undefined {
  for (const l of topology.links) {
    if (l.between[0] === a && l.between[1] === b) return { oneWayMs: l.oneWayMs, jitterMs: l.jitterMs };
    if (l.between[0] === b && l.between[1] === a) return { oneWayMs: [l.oneWayMs[1], l.oneWayMs[0]], jitterMs: l.jitterMs };
  }
  return undefined;
}

/**
 * The name of a region's client endpoint: where the clients of that region's nodes send from, on
 * providers that place clients in regions. Partitions and WAN delays treat it like a node of the region.
 */
export function clientEndpoint(region: string): string {
  return `clients@${region}`;
}
