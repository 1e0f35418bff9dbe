/**
 * Fault schedules as generators (src/generator): each package alternates start and stop ops,
 * spaced by random gaps around the interval, the first fault one interval into the run. Choices
 * (partition shape, targets, clock delta, packet behaviour) are drawn from the seeded ctx.rng.
 */
import type { GenContext, GenTest, Generator, OpTemplate } from '../src/core/generator.ts';
import { flipFlop, repeat, seq, sleep, stagger, type GenFn } from '../src/generator/index.ts';

/** Picks one element uniformly with the context's rng. */
export function pick<T>(xs: readonly T[], ctx: GenContext): T {
  return xs[ctx.rng.int(xs.length)] as T;
}

/** start/stop alternating, about one op per interval, the first after one interval. */
export function startStop(intervalS: number, start: (ctx: GenContext) => OpTemplate, stopF: string): Generator {
  const startFn: GenFn = (_test: GenTest, ctx: GenContext) => start(ctx);
  return seq(sleep(intervalS), stagger(intervalS, flipFlop(startFn, repeat({ f: stopF }))));
}
