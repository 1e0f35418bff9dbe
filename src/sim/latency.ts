/**
 * Message latency distributions of the simulated network: how long one message takes from node
 * to node (and between a client and its node). A seed draws one profile unless the run fixes it
 * (`--opt sim.latency=...`), so a search covers fast local networks, slow links and long tails.
 *
 *   lan         0.05 - 0.5 ms, uniform (nodes on one switch)
 *   datacenter  0.5 - 5 ms, uniform
 *   wan         20 ms + exponential with mean 15 ms, capped at 200 ms
 *   slow        50 - 150 ms, uniform (the regime in which Raft's vote windows stay open longest)
 *   long-tail   0.5 - 5 ms, except 5% of messages take 20 - 400 ms (log-uniform)
 */
import type { Rng } from '../core/generator.ts';

export const LATENCY_PROFILES = ['lan', 'datacenter', 'wan', 'slow', 'long-tail'] as const;
export type LatencyProfile = (typeof LATENCY_PROFILES)[number];

/** One-way latency in ms, drawn from `rng`. */
export type LatencySampler = (rng: Rng) => number;

/** Uniform in [lo, hi] ms. */
export const uniform = (lo: number, hi: number): LatencySampler => (r) => lo + (hi - lo) * r.next();

const logUniform = (lo: number, hi: number, r: Rng): number => lo * Math.exp(Math.log(hi / lo) * r.next());

export function latencySampler(profile: LatencyProfile): LatencySampler {
  switch (profile) {
    case 'lan':
      return uniform(0.05, 0.5);
    case 'datacenter':
      return uniform(0.5, 5);
    case 'wan':
      return (r) => Math.min(200, 20 - 15 * Math.log(1 - r.next()));
    case 'slow':
      return uniform(50, 150);
    case 'long-tail':
      return (r) => (r.next() < 0.05 ? logUniform(20, 400, r) : 0.5 + 4.5 * r.next());
  }
}
