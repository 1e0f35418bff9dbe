/**
 * The generator library: seeded randomness, plain values as generators, combinators, and
 * simulate() for testing them. Pure: no I/O, no clocks; time comes from the context.
 *
 * In short (the protocol is in src/core/generator.ts):
 * - `{f: 'read'}` is one op; `[a, b]` is a then b; `(test, ctx) => ...` is called for each op;
 *   `repeat(x)` repeats, `limit(n, x)` caps, `mix([...])` picks at random.
 * - Route explicitly: `clients(gen)` for client threads, `nemesis(gen)` for the nemesis thread,
 *   `clientsAndNemesis(c, n)` for both at once.
 * - Durations are seconds (`stagger(0.1, g)`, `sleep(10)`, `timeLimit(60, g)`); contexts and
 *   ops carry nanoseconds. Rates are totals over all threads, not per thread.
 * - `phases(a, b, c)` runs each after the previous is done and every thread is idle.
 * - `simulate(gen, {concurrency, seed, latencyMs, complete})` gives the history a generator
 *   would produce, deterministically per seed.
 * - Jepsen's `then` is `andThen` here: a module exporting `then` would be a thenable.
 */
export { makeRng } from './rng.ts';
export { lift, seq, indexed, fillTemplate, EMPTY, type GenLike, type GenFn } from './lift.ts';
export { processThread, someFreeProcess, isFree } from './context.ts';
export { map, filter, limit, once, repeat, cycle, untilOk, processLimit, concurrencyLimit, type OpMapper } from './transform.ts';
export { stagger, delay, sleep, timeLimit } from './time.ts';
export { any, mix, flipFlop } from './combine.ts';
export { synchronize, phases, andThen } from './sync.ts';
export { onThreads, clients, nemesis, clientsAndNemesis, eachThread, reserve } from './threads.ts';
export { simulate, invocations, type SimulateOptions, type SimCompletion } from './simulate.ts';
export type { Generator, GenContext, GenResult, GenTest, Invocation, OpTemplate, Pending, Rng, Thread } from '../core/generator.ts';
