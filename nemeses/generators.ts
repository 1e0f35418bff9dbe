/**
 * Fault schedules as generators (src/generator): each package alternates start and stop ops,
 * the first fault one interval into the run. Spacing `random` (Jepsen's stagger) draws each gap
 * uniformly from [0, 2 x interval], so faults and heals last from a moment to twice the
 * interval; `fixed` makes every gap exactly the interval. Choices
 * (partition shape, targets, clock delta, packet behaviour) are drawn from the seeded ctx.rng.
 */
import type { GenContext, GenTest, Generator, OpTemplate } from '../src/core/generator.ts';
import { delay, flipFlop, repeat, seq, sleep, stagger, type GenFn } from '../src/generator/index.ts';

/** Picks one element uniformly with the context's rng. */
export function pick<T>(xs: readonly T[], ctx: GenContext): T {
  return xs[ctx.rng.int(xs.length)] as T;
}

export const SPACINGS = ['random', 'fixed'] as const;
export type Spacing = (typeof SPACINGS)[number];

/** start/stop alternating, one op per interval on average, the first after one interval. */
export function startStop(intervalS: number, start: (ctx: GenContext) => OpTemplate, stopF: string, spacing: Spacing = 'random'): Generator {
  const startFn: GenFn = (_test: GenTest, ctx: GenContext) => start(ctx);
  const ops = flipFlop(startFn, repeat({ f: stopF }));
  return seq(sleep(intervalS), spacing === 'fixed' ? delay(intervalS, ops) : stagger(intervalS, ops));
}
