/**
 * Combinators that reshape one generator's ops: map, filter, limit, once, repeat, cycle,
 * untilOk, processLimit, concurrencyLimit.
 */
import type { GenContext, GenResult, GenTest, Generator, Invocation } from '../core/generator.ts';
import type { Op, ProcessId } from '../core/op.ts';
import { lift, type GenLike } from './lift.ts';
import { withGen } from './result.ts';

/** A function rewriting an invocation (its f, value, time or process). */
export type OpMapper = (op: Invocation, test: GenTest, ctx: GenContext) => Invocation;

class MapGen implements Generator {
  readonly fn: OpMapper;
  readonly gen: Generator;
  constructor(fn: OpMapper, gen: Generator) {
    this.fn = fn;
    this.gen = gen;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    const r = this.gen.op(test, ctx);
    if (r === null) return null;
    const gen = r.gen === this.gen ? this : new MapGen(this.fn, r.gen);
    return r.op === 'pending' ? withGen(r, gen) : { op: this.fn(r.op, test, ctx), gen };
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const gen = this.gen.update(test, ctx, event);
    return gen === this.gen ? this : new MapGen(this.fn, gen);
  }
}

/** Every op of `gen` rewritten by `fn`; pending and exhaustion pass through untouched. */
export function map(fn: OpMapper, gen: GenLike): Generator {
  return new MapGen(fn, lift(gen));
}

class FilterGen implements Generator {
  readonly pred: (op: Invocation) => boolean;
  readonly gen: Generator;
  constructor(pred: (op: Invocation) => boolean, gen: Generator) {
    this.pred = pred;
    this.gen = gen;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    let g = this.gen;
    for (;;) {
      const r = g.op(test, ctx);
      if (r === null) return null;
      if (r.op === 'pending' || this.pred(r.op)) return withGen(r, r.gen === this.gen ? this : new FilterGen(this.pred, r.gen));
      g = r.gen;
    }
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const gen = this.gen.update(test, ctx, event);
    return gen === this.gen ? this : new FilterGen(this.pred, gen);
  }
}

/**
 * Only the ops of `gen` satisfying `pred`; the others are skipped (consumed). Beware: an
 * infinite generator none of whose ops match never answers.
 */
export function filter(pred: (op: Invocation) => boolean, gen: GenLike): Generator {
  return new FilterGen(pred, lift(gen));
}

class LimitGen implements Generator {
  readonly remaining: number;
  readonly gen: Generator;
  constructor(remaining: number, gen: Generator) {
    this.remaining = remaining;
    this.gen = gen;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    if (this.remaining <= 0) return null;
    const r = this.gen.op(test, ctx);
    if (r === null) return null;
    if (r.op === 'pending') return withGen(r, r.gen === this.gen ? this : new LimitGen(this.remaining, r.gen));
    return { op: r.op, gen: new LimitGen(this.remaining - 1, r.gen) };
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const gen = this.gen.update(test, ctx, event);
    return gen === this.gen ? this : new LimitGen(this.remaining, gen);
  }
}

function checkCount(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what}: count must be a non-negative integer, got ${n}`);
}

/** At most `n` ops of `gen`. */
export function limit(n: number, gen: GenLike): Generator {
  checkCount('limit', n);
  return new LimitGen(n, lift(gen));
}

/** Only the first op of `gen` (limit 1). */
export function once(gen: GenLike): Generator {
  return limit(1, gen);
}

class RepeatGen implements Generator {
  /** Ops left, or -1 for no end. */
  readonly remaining: number;
  readonly gen: Generator;
  constructor(remaining: number, gen: Generator) {
    this.remaining = remaining;
    this.gen = gen;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    if (this.remaining === 0) return null;
    const r = this.gen.op(test, ctx);
    if (r === null) return null;
    if (r.op === 'pending') return withGen(r, r.gen === this.gen ? this : new RepeatGen(this.remaining, r.gen));
    return { op: r.op, gen: this.remaining < 0 ? this : new RepeatGen(this.remaining - 1, this.gen) };
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const gen = this.gen.update(test, ctx, event);
    return gen === this.gen ? this : new RepeatGen(this.remaining, gen);
  }
}

/**
 * The first op of `gen`, over and over (forever, or `n` times): the state of `gen` does not
 * advance, so `repeat({f: 'read'})` reads forever, and a function generator is called afresh
 * each time.
 */
export function repeat(gen: GenLike): Generator;
export function repeat(n: number, gen: GenLike): Generator;
export function repeat(a: number | GenLike, b?: GenLike): Generator {
  if (typeof a === 'number') {
    checkCount('repeat', a);
    return new RepeatGen(a, lift(b));
  }
  return new RepeatGen(-1, lift(a));
}

class CycleGen implements Generator {
  /** Passes left including the current one, or -1 for no end. */
  readonly remaining: number;
  readonly original: Generator;
  readonly gen: Generator;
  constructor(remaining: number, original: Generator, gen: Generator) {
    this.remaining = remaining;
    this.original = original;
    this.gen = gen;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    if (this.remaining === 0) return null;
    const r = this.gen.op(test, ctx);
    if (r !== null) return withGen(r, r.gen === this.gen ? this : new CycleGen(this.remaining, this.original, r.gen));
    const left = this.remaining < 0 ? -1 : this.remaining - 1;
    if (left === 0 || this.gen === this.original) return null; // done, or an empty original would loop forever
    return new CycleGen(left, this.original, this.original).op(test, ctx);
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const gen = this.gen.update(test, ctx, event);
    return gen === this.gen ? this : new CycleGen(this.remaining, this.original, gen);
  }
}

/**
 * Runs `gen` to exhaustion, then starts again from its original state: forever, or `n` passes.
 * Updates reach the current pass only.
 */
export function cycle(gen: GenLike): Generator;
export function cycle(n: number, gen: GenLike): Generator;
export function cycle(a: number | GenLike, b?: GenLike): Generator {
  if (typeof a === 'number') {
    checkCount('cycle', a);
    const g = lift(b);
    return new CycleGen(a, g, g);
  }
  const g = lift(a);
  return new CycleGen(-1, g, g);
}

function without(list: readonly ProcessId[], p: ProcessId): readonly ProcessId[] {
  return list.filter((q) => q !== p);
}

class UntilOkGen implements Generator {
  readonly gen: Generator;
  readonly done: boolean;
  /** Processes running one of our ops. */
  readonly active: readonly ProcessId[];
  constructor(gen: Generator, done: boolean, active: readonly ProcessId[]) {
    this.gen = gen;
    this.done = done;
    this.active = active;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    if (this.done) return null;
    const r = this.gen.op(test, ctx);
    if (r === null) return null;
    if (r.op === 'pending') return withGen(r, r.gen === this.gen ? this : new UntilOkGen(r.gen, false, this.active));
    return { op: r.op, gen: new UntilOkGen(r.gen, false, [...this.active, r.op.process]) };
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const gen = this.gen.update(test, ctx, event);
    if (event.type !== 'invoke' && this.active.includes(event.process)) {
      return new UntilOkGen(gen, this.done || event.type === 'ok', without(this.active, event.process));
    }
    return gen === this.gen ? this : new UntilOkGen(gen, this.done, this.active);
  }
}

/**
 * Ops of `gen` until one of them completes `ok`; then nothing more (ops already in flight
 * still complete).
 */
export function untilOk(gen: GenLike): Generator {
  return new UntilOkGen(lift(gen), false, []);
}

class ProcessLimitGen implements Generator {
  readonly n: number;
  readonly seen: ReadonlySet<ProcessId>;
  readonly gen: Generator;
  constructor(n: number, seen: ReadonlySet<ProcessId>, gen: Generator) {
    this.n = n;
    this.seen = seen;
    this.gen = gen;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    const r = this.gen.op(test, ctx);
    if (r === null) return null;
    if (r.op === 'pending') return withGen(r, r.gen === this.gen ? this : new ProcessLimitGen(this.n, this.seen, r.gen));
    let seen = this.seen;
    for (const t of ctx.allThreads) {
      const p = ctx.workers.get(t)!;
      if (!seen.has(p)) {
        if (seen === this.seen) seen = new Set(this.seen);
        (seen as Set<ProcessId>).add(p);
      }
    }
    if (seen.size > this.n) return null;
    return { op: r.op, gen: new ProcessLimitGen(this.n, seen, r.gen) };
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const gen = this.gen.update(test, ctx, event);
    return gen === this.gen ? this : new ProcessLimitGen(this.n, this.seen, gen);
  }
}

/**
 * Ops of `gen` for at most `n` distinct processes. As in Jepsen, every process of the context's
 * threads counts (not only those that ran an op), so the run ends with full concurrency instead
 * of trickling out: with n = concurrency, the first `info` crash (which gives its thread a new
 * process) ends the generator.
 */
export function processLimit(n: number, gen: GenLike): Generator {
  checkCount('processLimit', n);
  return new ProcessLimitGen(n, new Set(), lift(gen));
}

class ConcurrencyLimitGen implements Generator {
  readonly n: number;
  /** Processes running one of our ops. */
  readonly active: readonly ProcessId[];
  readonly gen: Generator;
  constructor(n: number, active: readonly ProcessId[], gen: Generator) {
    this.n = n;
    this.active = active;
    this.gen = gen;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    if (this.active.length >= this.n) return { op: 'pending', gen: this };
    const r = this.gen.op(test, ctx);
    if (r === null) return null;
    if (r.op === 'pending') return withGen(r, r.gen === this.gen ? this : new ConcurrencyLimitGen(this.n, this.active, r.gen));
    return { op: r.op, gen: new ConcurrencyLimitGen(this.n, [...this.active, r.op.process], r.gen) };
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const gen = this.gen.update(test, ctx, event);
    if (event.type !== 'invoke' && this.active.includes(event.process)) {
      return new ConcurrencyLimitGen(this.n, without(this.active, event.process), gen);
    }
    return gen === this.gen ? this : new ConcurrencyLimitGen(this.n, this.active, gen);
  }
}

/** Ops of `gen` with at most `n` of them in flight at once (on any threads); pending while n are running. */
export function concurrencyLimit(n: number, gen: GenLike): Generator {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`concurrencyLimit: n must be a positive integer, got ${n}`);
  return new ConcurrencyLimitGen(n, [], lift(gen));
}
