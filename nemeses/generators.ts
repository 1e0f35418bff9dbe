/**
 * Fault schedules as generators (src/generator): each package alternates start and stop ops,
 * the first fault one interval into the run. What the k-th fault is (partition shape, targets,
 * clock delta, packet behaviour) is drawn from an rng seeded by the run's seed, the package and
 * k alone, so a seed gives the same faults in every run whatever the timing; only when they
 * happen varies. Spacing `random` (Jepsen's stagger) draws each gap uniformly from
 * [0, 2 x interval], so faults and heals last from a moment to twice the interval; `fixed` makes
 * every gap exactly the interval.
 */
import type { Generator, OpTemplate, Rng } from '../src/core/generator.ts';
import { delay, indexed, seq, sleep, stagger } from '../src/generator/index.ts';
import { rngFor } from './draw.ts';

export { pick, rngFor } from './draw.ts';

export const SPACINGS = ['random', 'fixed'] as const;
export type Spacing = (typeof SPACINGS)[number];

export interface StartStop {
  intervalS: number;
  /** The package's name; its faults are `start` ops drawn with their own rng, and `stop-<name>`. */
  name: string;
  start: (rng: Rng) => OpTemplate;
  seed: number;
  spacing?: Spacing;
}

/** start/stop alternating, one op per interval on average, the first after one interval. */
export function startStop(s: StartStop): Generator {
  const ops = indexed((k) => (k % 2 === 0 ? s.start(rngFor(s.seed, s.name, k / 2)) : { f: `stop-${s.name}` }));
  return seq(sleep(s.intervalS), s.spacing === 'fixed' ? delay(s.intervalS, ops) : stagger(s.intervalS, ops));
}
