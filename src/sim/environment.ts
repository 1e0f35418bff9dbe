/**
 * What a seed draws besides its ops and faults: the network's latency profile, the disk's fsync
 * latency, which of the fault kinds it injects (swarm testing: a random non-empty subset, so
 * one kind's faults do not always mask another's) and how often faults come. Whatever the run
 * fixes (`--opt sim.latency=slow`, `--nemesis-interval 1`, `--opt sim.swarm=false`) is not drawn.
 * The environment is recorded with every failing case, so a replay does not redraw it.
 */
import { rngFor } from '../../nemeses/generators.ts';
import { LATENCY_PROFILES, type LatencyProfile } from './latency.ts';
import { DISK_PROFILES } from './options.ts';

export type DiskProfile = (typeof DISK_PROFILES)[number];

export interface SimEnvironment {
  latency: LatencyProfile;
  disk: DiskProfile;
  /** The fault kinds this seed injects (a subset of the run's --nemesis). */
  nemeses: string[];
  /** Mean seconds between fault ops of each kind (as `faultline test --nemesis-interval`). */
  nemesisIntervalS: number;
}

/** fsync latency, uniform in [min, max] ms. */
export const FSYNC_MS: Readonly<Record<DiskProfile, readonly [number, number]>> = { fast: [0.05, 1], slow: [2, 20] };

/** The mean gaps between fault ops (of any kind) a seed draws from, seconds. */
export const FAULT_GAPS_S = [0.1, 0.25, 0.5, 1, 2] as const;

export interface EnvironmentChoices {
  latency: LatencyProfile | 'any';
  disk: DiskProfile | 'any';
  swarm: boolean;
  /** The run's fault kinds. */
  nemeses: readonly string[];
  /** Fixed by --nemesis-interval; drawn when absent. */
  nemesisIntervalS?: number | undefined;
}

export function drawEnvironment(seed: number, c: EnvironmentChoices): SimEnvironment {
  const r = rngFor(seed, 'sim environment');
  const pick = <T>(xs: readonly T[]): T => xs[r.int(xs.length)]!;
  const latency = c.latency === 'any' ? pick(LATENCY_PROFILES) : c.latency;
  const disk = c.disk === 'any' ? pick(DISK_PROFILES) : c.disk;
  let nemeses = [...c.nemeses];
  if (c.swarm && nemeses.length > 1) {
    do nemeses = c.nemeses.filter(() => r.next() < 0.5);
    while (nemeses.length === 0);
  }
  // The gap drawn is between fault ops of any kind: each of k kinds gets k times it, so a seed
  // that injects more kinds does not fault more often (one kind's faults, coming k times as
  // often, would mask another's: a kill ends the leader whose clock a clock fault just skewed).
  const nemesisIntervalS = c.nemesisIntervalS ?? pick(FAULT_GAPS_S) * nemeses.length;
  return { latency, disk, nemeses, nemesisIntervalS };
}
