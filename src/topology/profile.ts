/**
 * Topology profiles as text a user writes (a JSON file given to `--topology ./my-topology.json`),
 * checked field by field with one-line errors that name what is wrong, and placed on a cluster's
 * nodes. The built-in profiles (profiles.ts) go through the same parser.
 *
 * The file:
 * ```json
 * {
 *   "description": "two regions, the Atlantic between them",
 *   "jitterMs": 4,
 *   "regions": [{ "name": "us-east", "nodes": ["n1", "n2", "n3"] }, { "name": "eu-west", "nodes": ["n4", "n5"] }],
 *   "links": [{ "between": ["us-east", "eu-west"], "rttMs": 80 }]
 * }
 * ```
 * - `regions` (1 to 8): `nodes` given for every region or for none; without them the cluster's
 *   nodes are dealt out in order, in blocks as even as can be (the first regions get the extra).
 * - `links`: one per pair of regions, each with `rttMs` (split evenly between the directions) or
 *   `oneWayMs: [a to b, b to a]` for an asymmetric path (or both, when they agree), and optionally
 *   its own `jitterMs` (default: the top-level one, else 0). Each direction gets uniform jitter in
 *   [0, jitterMs), so a measured round trip lies in [rtt, rtt + 2 x jitter).
 */
import type { Region, Topology, WanLink } from '../core/topology.ts';
import { UsageError } from '../core/errors.ts';

/** A profile before placement: regions may leave their nodes to be dealt out. */
export interface TopologyProfile {
  readonly name: string;
  readonly description?: string;
  readonly regions: readonly { readonly name: string; readonly nodes?: readonly string[] }[];
  readonly links: readonly WanLink[];
}

/** Every client region gets an address of its own on the local provider; 8 fit below the nodes'. */
export const MAX_REGIONS = 8;
/** Longer one-way delays than this are typos, not WANs. */
export const MAX_DELAY_MS = 10_000;
const REGION_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const TOP_KEYS = ['name', 'description', 'jitterMs', 'regions', 'links'];
const REGION_KEYS = ['name', 'nodes'];
const LINK_KEYS = ['between', 'rttMs', 'oneWayMs', 'jitterMs'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], where: string, fail: (m: string) => never): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) fail(`${where}has no field ${JSON.stringify(k)} (fields: ${allowed.join(', ')})`);
}

function delay(v: unknown, where: string, fail: (m: string) => never): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_DELAY_MS) fail(`${where} must be a number of ms from 0 to ${MAX_DELAY_MS}, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Checks a profile given as parsed JSON; `source` names it in errors (a path or a profile name).
 * Throws a UsageError whose message is one line: `topology <source>: <what is wrong>`.
 */
export function parseProfile(value: unknown, source: string): TopologyProfile {
  const fail = (m: string): never => {
    throw new UsageError(`topology ${source}: ${m}`);
  };
  if (!isObject(value)) return fail('must be a JSON object with "regions" and "links"');
  onlyKeys(value, TOP_KEYS, '', fail);
  const name = value['name'] ?? source;
  if (typeof name !== 'string' || name === '') return fail('"name" must be a non-empty string');
  const description = value['description'];
  if (description !== undefined && typeof description !== 'string') return fail('"description" must be a string');
  const defaultJitter = value['jitterMs'] === undefined ? 0 : delay(value['jitterMs'], '"jitterMs"', fail);

  const rawRegions = value['regions'];
  if (!Array.isArray(rawRegions) || rawRegions.length === 0 || rawRegions.length > MAX_REGIONS) return fail(`"regions" must be a list of 1 to ${MAX_REGIONS} regions`);
  const regions = rawRegions.map((r: unknown, i) => {
    const where = `regions[${i}]`;
    if (!isObject(r)) return fail(`${where} must be an object with a "name"`);
    onlyKeys(r, REGION_KEYS, `${where} `, fail);
    const rn = r['name'];
    if (typeof rn !== 'string' || !REGION_NAME.test(rn)) return fail(`${where}.name must be 1-20 lowercase letters, digits or -, starting with a letter, got ${JSON.stringify(rn)}`);
    const nodes = r['nodes'];
    if (nodes === undefined) return { name: rn };
    if (!Array.isArray(nodes) || nodes.length === 0 || !nodes.every((n) => typeof n === 'string' && n !== '')) return fail(`${where}.nodes must be a non-empty list of node names`);
    return { name: rn, nodes: nodes as string[] };
  });
  const names = regions.map((r) => r.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) return fail(`region ${JSON.stringify(dup)} is named twice`);
  const withNodes = regions.filter((r) => r.nodes !== undefined).length;
  if (withNodes !== 0 && withNodes !== regions.length) return fail('give "nodes" for every region or for none (then the nodes are dealt out in order)');
  const placed = regions.flatMap((r) => r.nodes ?? []);
  const twice = placed.find((n, i) => placed.indexOf(n) !== i);
  if (twice !== undefined) return fail(`node ${JSON.stringify(twice)} is placed in two regions`);

  const rawLinks = value['links'] ?? [];
  if (!Array.isArray(rawLinks)) return fail('"links" must be a list');
  const links: WanLink[] = rawLinks.map((l: unknown, i) => {
    const where = `links[${i}]`;
    if (!isObject(l)) return fail(`${where} must be an object with "between" and "rttMs" or "oneWayMs"`);
    onlyKeys(l, LINK_KEYS, `${where} `, fail);
    const between = l['between'];
    if (!Array.isArray(between) || between.length !== 2 || between[0] === between[1] || !between.every((b) => typeof b === 'string')) {
      return fail(`${where}.between must name two different regions, e.g. ["us-east", "eu-west"]`);
    }
    for (const b of between as string[]) if (!names.includes(b)) fail(`${where}.between names region ${JSON.stringify(b)}, which is not in "regions" (${names.join(', ')})`);
    const rtt = l['rttMs'] === undefined ? undefined : delay(l['rttMs'], `${where}.rttMs`, fail);
    let oneWay: [number, number];
    const ow = l['oneWayMs'];
    if (ow !== undefined) {
      if (!Array.isArray(ow) || ow.length !== 2) return fail(`${where}.oneWayMs must be [ms from ${between[0]} to ${between[1]}, ms back]`);
      oneWay = [delay(ow[0], `${where}.oneWayMs[0]`, fail), delay(ow[1], `${where}.oneWayMs[1]`, fail)];
      if (rtt !== undefined && Math.abs(oneWay[0] + oneWay[1] - rtt) > 1e-9) return fail(`${where}: oneWayMs ${oneWay[0]} + ${oneWay[1]} does not add up to rttMs ${rtt}`);
    } else if (rtt !== undefined) {
      oneWay = [rtt / 2, rtt / 2];
    } else {
      return fail(`${where} needs "rttMs" or "oneWayMs"`);
    }
    const jitterMs = l['jitterMs'] === undefined ? defaultJitter : delay(l['jitterMs'], `${where}.jitterMs`, fail);
    return { between: [between[0] as string, between[1] as string], oneWayMs: oneWay, jitterMs };
  });
  const pairKey = (a: string, b: string): string => [a, b].sort().join(' and ');
  const seen = new Set<string>();
  for (const l of links) {
    const k = pairKey(...l.between);
    if (seen.has(k)) fail(`two links between ${k}`);
    seen.add(k);
  }
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      if (!seen.has(pairKey(names[i]!, names[j]!))) fail(`no link between ${names[i]} and ${names[j]}: every two regions need one`);
    }
  }
  return { name, ...(description !== undefined ? { description } : {}), regions, links };
}

/** Deals `nodes` out in order into `count` blocks as even as can be, the first blocks taking the extra. */
export function dealNodes(nodes: readonly string[], count: number): string[][] {
  const base = Math.floor(nodes.length / count);
  const extra = nodes.length % count;
  const out: string[][] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const size = base + (i < extra ? 1 : 0);
    out.push(nodes.slice(at, at + size));
    at += size;
  }
  return out;
}

/** Places a profile on a cluster's nodes; throws a one-line UsageError when they do not fit. */
export function placeProfile(profile: TopologyProfile, nodes: readonly string[]): Topology {
  const fail = (m: string): never => {
    throw new UsageError(`topology ${profile.name}: ${m}`);
  };
  let regions: Region[];
  if (profile.regions.every((r) => r.nodes === undefined)) {
    if (nodes.length < profile.regions.length) fail(`${profile.regions.length} regions need at least ${profile.regions.length} nodes, the cluster has ${nodes.length} (--nodes)`);
    const blocks = dealNodes(nodes, profile.regions.length);
    regions = profile.regions.map((r, i) => ({ name: r.name, nodes: blocks[i]! }));
  } else {
    regions = profile.regions.map((r) => ({ name: r.name, nodes: [...(r.nodes ?? [])] }));
    const placed = new Set(regions.flatMap((r) => r.nodes));
    for (const n of placed) if (!nodes.includes(n)) fail(`node ${JSON.stringify(n)} is not in the cluster (nodes: ${nodes.join(', ')})`);
    const missing = nodes.filter((n) => !placed.has(n));
    if (missing.length > 0) fail(`node${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} in no region`);
  }
  return { name: profile.name, ...(profile.description !== undefined ? { description: profile.description } : {}), regions, links: profile.links };
}
