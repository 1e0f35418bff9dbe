/**
 * The simulated network between nodes: every message takes its own latency (drawn per directed
 * link from the run's latency profile, so messages overtake each other), partitions drop what
 * crosses them (checked when a message leaves and again when it arrives), and packet faults on
 * chosen links add loss, duplication, delay with jitter and a rate limit. Randomness comes from
 * one stream per directed link, so what happens on one link does not shift the draws of another.
 * Clients reach every node over links of their own that faults never touch (the controller's
 * traffic is exempt from faults on a real cluster too).
 */
import type { Rng } from '../core/generator.ts';
import type { Grudge, Link, PacketFaults } from '../core/provider.ts';
import { rngFor } from '../../nemeses/generators.ts';
import type { LatencySampler } from './latency.ts';

export type LinkFaults = Omit<PacketFaults, 'links'>;

interface FaultyLink extends LinkFaults {
  /** With a rate limit: when the link has finished sending what it already took. */
  busyUntil: number;
}

/** One directed link: whether a partition cuts it, its packet faults, its random stream. */
export interface LinkState {
  blocked: boolean;
  faults: FaultyLink | undefined;
  readonly rng: Rng;
}

export class SimNetwork {
  readonly #seed: number;
  readonly #latency: LatencySampler;
  readonly #clientLatency: LatencySampler;
  /** Links by sender, then receiver (made on first use). */
  readonly #links = new Map<string, Map<string, LinkState>>();
  readonly #clients = new Map<string, Rng>();
  /** The delays `transit` returns, reused call after call. */
  readonly #out: number[] = [];

  constructor(seed: number, latency: LatencySampler, clientLatency: LatencySampler = latency) {
    this.#seed = seed;
    this.#latency = latency;
    this.#clientLatency = clientLatency;
  }

  /** The directed link from `from` to `to` (the same object for the whole run). */
  link(from: string, to: string): LinkState {
    let byTo = this.#links.get(from);
    if (!byTo) this.#links.set(from, (byTo = new Map()));
    let l = byTo.get(to);
    if (!l) byTo.set(to, (l = { blocked: false, faults: undefined, rng: rngFor(this.#seed, `net ${from}>${to}`) }));
    return l;
  }

  #eachLink(fn: (l: LinkState) => void): void {
    for (const byTo of this.#links.values()) for (const l of byTo.values()) fn(l);
  }

  /** Replaces the partition: `grudge[n]` lists the nodes whose messages n no longer hears. */
  partition(grudge: Grudge): void {
    this.healPartition();
    for (const [to, froms] of Object.entries(grudge)) for (const from of froms) this.link(from, to).blocked = true;
  }

  healPartition(): void {
    this.#eachLink((l) => (l.blocked = false));
  }

  /** Replaces the packet faults: every given link gets `faults`, every other link none. */
  setPacketFaults(links: readonly Link[], faults: LinkFaults): void {
    this.healPacketFaults();
    for (const l of links) this.link(l.from, l.to).faults = { ...faults, busyUntil: 0 };
  }

  healPacketFaults(): void {
    this.#eachLink((l) => (l.faults = undefined));
  }

  /**
   * The delays (ms from `now`) after which the copies of one message arrive: none when it is cut
   * off or lost, two when it is duplicated. `msg` is measured (as JSON) only for rate limits.
   * The array returned is reused by the next call.
   */
  transit(l: LinkState, msg: unknown, now: number): readonly number[] {
    const out = this.#out;
    out.length = 0;
    if (l.blocked) return out;
    const r = l.rng;
    const f = l.faults;
    if (!f) {
      out.push(this.#latency(r));
      return out;
    }
    if (f.loss !== undefined && r.next() < f.loss) return out;
    const copies = f.duplicate !== undefined && r.next() < f.duplicate ? 2 : 1;
    let queued = 0;
    if (f.rateKbit !== undefined) {
      const start = Math.max(now, f.busyUntil);
      f.busyUntil = start + (JSON.stringify(msg).length * 8) / f.rateKbit;
      queued = f.busyUntil - now;
    }
    for (let i = 0; i < copies; i++) {
      const extra = (f.delayMs ?? 0) + (f.jitterMs ?? 0) * r.next();
      out.push(queued + extra + this.#latency(r));
    }
    return out;
  }

  /** One-way latency between a client and `node` (never faulty). */
  clientLatency(node: string): number {
    let r = this.#clients.get(node);
    if (!r) this.#clients.set(node, (r = rngFor(this.#seed, `net client ${node}`)));
    return this.#clientLatency(r);
  }
}
