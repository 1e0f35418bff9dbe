/**
 * The built-in topology profiles (`--topology <name>`, listed by `faultline list`): one region as
 * the baseline, three regions with a WAN matrix, and two regions joined by an asymmetric path.
 * They leave the nodes to be dealt out in order (n1, n2 first), so they fit any cluster with at
 * least one node per region. Written in the file format a user's own profile uses (profile.ts).
 */
import { parseProfile, type TopologyProfile } from './profile.ts';

const SOURCES: readonly Record<string, unknown>[] = [
  {
    name: 'single-region',
    description: 'every node in one region: the LAN baseline, no added latency',
    regions: [{ name: 'us-east' }],
    links: [],
  },
  {
    name: 'three-regions',
    description: 'three regions at 30 / 80 / 150 ms round trip, jitter growing with distance',
    regions: [{ name: 'us-east' }, { name: 'us-central' }, { name: 'eu-west' }],
    links: [
      { between: ['us-east', 'us-central'], rttMs: 30, jitterMs: 2 },
      { between: ['us-east', 'eu-west'], rttMs: 80, jitterMs: 5 },
      { between: ['us-central', 'eu-west'], rttMs: 150, jitterMs: 8 },
    ],
  },
  {
    name: 'two-regions-asym',
    description: 'two regions at 80 ms round trip over an asymmetric path: 60 ms from us-east to eu-west, 20 ms back',
    regions: [{ name: 'us-east' }, { name: 'eu-west' }],
    links: [{ between: ['us-east', 'eu-west'], oneWayMs: [60, 20], jitterMs: 4 }],
  },
];

/** The built-in profiles, checked by the same parser as a user's file. */
export const BUILTIN_TOPOLOGIES: readonly TopologyProfile[] = SOURCES.map((s) => parseProfile(s, String(s['name'])));

export function builtinTopology(name: string): TopologyProfile | undefined {
  return BUILTIN_TOPOLOGIES.find((p) => p.name === name);
}
