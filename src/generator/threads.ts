/**
 * Combinators that decide which threads run a generator: onThreads, clients, nemesis,
 * clientsAndNemesis, eachThread (a copy per thread), reserve (fixed groups of threads).
 */
import type { GenContext, GenResult, GenTest, Generator, Thread } from '../core/generator.ts';
import type { Op } from '../core/op.ts';
import { Choice } from './choice.ts';
import { any } from './combine.ts';
import { processThread, ThreadFilter } from './context.ts';
import { lift, type GenLike } from './lift.ts';
import { withGen } from './result.ts';

class OnThreadsGen implements Generator {
  readonly filter: ThreadFilter;
  readonly gen: Generator;
  constructor(filter: ThreadFilter, gen: Generator) {
    this.filter = filter;
    this.gen = gen;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    const r = this.gen.op(test, this.filter.apply(ctx));
    if (r === null) return null;
    return withGen(r, r.gen === this.gen ? this : new OnThreadsGen(this.filter, r.gen));
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    if (!this.filter.accepts(processThread(ctx, event.process))) return this;
    const gen = this.gen.update(test, this.filter.apply(ctx), event);
    return gen === this.gen ? this : new OnThreadsGen(this.filter, gen);
  }
}

/**
 * `gen` restricted to the threads satisfying `accepts`: it sees only those threads in its
 * context (so its ops go only to them) and only their events.
 */
export function onThreads(accepts: (thread: Thread) => boolean, gen: GenLike): Generator {
  return new OnThreadsGen(new ThreadFilter(accepts), lift(gen));
}

/** `gen` on the client threads only. */
export function clients(gen: GenLike): Generator {
  return onThreads((t) => t !== 'nemesis', gen);
}

/** `gen` on the nemesis thread only. */
export function nemesis(gen: GenLike): Generator {
  return onThreads((t) => t === 'nemesis', gen);
}

/** Client ops from `clientGen` and, at the same time, faults from `nemesisGen` on the nemesis thread. */
export function clientsAndNemesis(clientGen: GenLike, nemesisGen: GenLike): Generator {
  return any(clients(clientGen), nemesis(nemesisGen));
}

/** One-thread contexts, made once per thread and shared by every state of one eachThread. */
class SingleThreadContexts {
  readonly #arrays = new Map<Thread, readonly Thread[]>();
  of(ctx: GenContext, thread: Thread, free: boolean): GenContext {
    let one = this.#arrays.get(thread);
    if (one === undefined) {
      one = [thread];
      this.#arrays.set(thread, one);
    }
    return { time: ctx.time, freeThreads: free ? one : [], workers: ctx.workers, allThreads: one, concurrency: ctx.concurrency, rng: ctx.rng };
  }
}

class EachThreadGen implements Generator {
  readonly fresh: Generator;
  readonly gens: ReadonlyMap<Thread, Generator>;
  readonly contexts: SingleThreadContexts;
  constructor(fresh: Generator, gens: ReadonlyMap<Thread, Generator>, contexts: SingleThreadContexts) {
    this.fresh = fresh;
    this.gens = gens;
    this.contexts = contexts;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    const choice = new Choice();
    const free = ctx.freeThreads;
    for (let i = 0; i < free.length; i++) {
      const t = free[i]!;
      const g = this.gens.get(t) ?? this.fresh;
      choice.consider(i, g, g.op(test, this.contexts.of(ctx, t, true)), 1, ctx);
    }
    const answer = choice.answer(ctx, (withChosen) => {
      if (choice.adopted.size === 0 && !withChosen) return this;
      const gens = new Map(this.gens);
      for (const [i, g] of choice.adopted) gens.set(free[i]!, g);
      if (withChosen) gens.set(free[choice.bestBranch]!, choice.bestGen);
      return new EachThreadGen(this.fresh, gens, this.contexts);
    });
    if (answer !== null) return answer;
    // Every free thread's copy is exhausted; busy threads' copies may still have ops.
    return free.length === ctx.allThreads.length ? null : { op: 'pending', gen: this };
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const t = processThread(ctx, event.process);
    if (!ctx.allThreads.includes(t)) return this;
    const g = this.gens.get(t) ?? this.fresh;
    const u = g.update(test, this.contexts.of(ctx, t, ctx.freeThreads.includes(t)), event);
    if (u === g) return this;
    const gens = new Map(this.gens);
    gens.set(t, u);
    return new EachThreadGen(this.fresh, gens, this.contexts);
  }
}

/**
 * An independent copy of `gen` for every thread: each copy sees a context with only its own
 * thread, and only that thread's events. `eachThread(untilOk(repeat({f: 'read'})))` has every
 * client read until it succeeds once. Ends when every copy is exhausted.
 */
export function eachThread(gen: GenLike): Generator {
  return new EachThreadGen(lift(gen), new Map(), new SingleThreadContexts());
}

/** The thread groups of a reserve for one `allThreads` array, computed once. */
class ReserveLayout {
  readonly #sizes: readonly number[];
  #key: readonly Thread[] | null = null;
  filters: ThreadFilter[] = [];
  weights: number[] = [];
  readonly groupOf = new Map<Thread, number>();
  constructor(sizes: readonly number[]) {
    this.#sizes = sizes;
  }
  /** Splits `ctx.allThreads`, in order, into the groups (the default group takes the rest). */
  for(ctx: GenContext): this {
    if (ctx.allThreads === this.#key) return this;
    this.#key = ctx.allThreads;
    this.groupOf.clear();
    const all = ctx.allThreads;
    let pos = 0;
    const groups: Thread[][] = [];
    for (const size of this.#sizes) {
      groups.push(all.slice(pos, pos + size));
      pos += size;
    }
    groups.push(all.slice(pos));
    groups.forEach((g, i) => g.forEach((t) => this.groupOf.set(t, i)));
    this.filters = groups.map((_, i) => new ThreadFilter((t) => this.groupOf.get(t) === i));
    this.weights = groups.map((g) => g.length);
    return this;
  }
}

class ReserveGen implements Generator {
  readonly layout: ReserveLayout;
  readonly gens: readonly Generator[];
  constructor(layout: ReserveLayout, gens: readonly Generator[]) {
    this.layout = layout;
    this.gens = gens;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    const layout = this.layout.for(ctx);
    const choice = new Choice();
    for (let i = 0; i < this.gens.length; i++) {
      if (layout.weights[i] === 0) continue; // a group without threads never runs
      const g = this.gens[i]!;
      choice.consider(i, g, g.op(test, layout.filters[i]!.apply(ctx)), layout.weights[i]!, ctx);
    }
    return choice.answer(ctx, (withChosen) => {
      if (choice.adopted.size === 0 && !withChosen) return this;
      const gens = this.gens.slice();
      for (const [i, g] of choice.adopted) gens[i] = g;
      if (withChosen) gens[choice.bestBranch] = choice.bestGen;
      return new ReserveGen(this.layout, gens);
    });
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const layout = this.layout.for(ctx);
    const i = layout.groupOf.get(processThread(ctx, event.process));
    if (i === undefined) return this;
    const g = this.gens[i]!;
    const u = g.update(test, layout.filters[i]!.apply(ctx), event);
    if (u === g) return this;
    const gens = this.gens.slice();
    gens[i] = u;
    return new ReserveGen(this.layout, gens);
  }
}

/**
 * Fixed groups of threads: `reserve([[5, writes], [2, cas]], reads)` gives the first 5 threads
 * of the context to `writes`, the next 2 to `cas` and the rest to `reads` (threads in context
 * order: clients ascending, then the nemesis). Each generator sees only its own threads and
 * their events, so a slow group never takes every thread.
 */
export function reserve(groups: ReadonlyArray<readonly [number, GenLike]>, rest: GenLike): Generator {
  for (const [n] of groups) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`reserve: thread counts must be non-negative integers, got ${n}`);
  }
  return new ReserveGen(
    new ReserveLayout(groups.map(([n]) => n)),
    [...groups.map(([, g]) => lift(g)), lift(rest)],
  );
}
