/**
 * Combinators about time: stagger, delay, sleep, timeLimit. Their arguments are in seconds,
 * like Jepsen's (fractions allowed: `stagger(0.1, g)` is about ten ops a second); contexts and
 * ops carry nanoseconds.
 */
import type { GenContext, GenResult, GenTest, Generator } from '../core/generator.ts';
import type { Op } from '../core/op.ts';
import { lift, type GenLike } from './lift.ts';
import { earliest, withGen } from './result.ts';

const NS_PER_S = 1e9;

function secondsToNs(what: string, seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError(`${what}: seconds must be a finite non-negative number, got ${seconds}`);
  return Math.round(seconds * NS_PER_S);
}

/** Ops of `gen`, each starting no earlier than the previous one's start plus `gap(ctx)` ns. */
class SpacedGen implements Generator {
  readonly gap: (ctx: GenContext) => number;
  /** When the next op may start; null until the first op. */
  readonly nextTime: number | null;
  readonly gen: Generator;
  constructor(gap: (ctx: GenContext) => number, nextTime: number | null, gen: Generator) {
    this.gap = gap;
    this.nextTime = nextTime;
    this.gen = gen;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    const r = this.gen.op(test, ctx);
    if (r === null) return null;
    if (r.op === 'pending') return withGen(r, r.gen === this.gen ? this : new SpacedGen(this.gap, this.nextTime, r.gen));
    const time = this.nextTime !== null && this.nextTime > r.op.time ? this.nextTime : r.op.time;
    const op = time === r.op.time ? r.op : { ...r.op, time };
    return { op, gen: new SpacedGen(this.gap, time + this.gap(ctx), r.gen) };
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const gen = this.gen.update(test, ctx, event);
    return gen === this.gen ? this : new SpacedGen(this.gap, this.nextTime, gen);
  }
}

/**
 * Ops of `gen` spaced by random gaps drawn uniformly from [0, 2 × `intervalSeconds`), so about
 * one op per `intervalSeconds` in total (not per thread, as in Jepsen's pure generators). The
 * first op is not delayed.
 */
export function stagger(intervalSeconds: number, gen: GenLike): Generator {
  const span = 2 * secondsToNs('stagger', intervalSeconds);
  return new SpacedGen((ctx) => Math.floor(ctx.rng.next() * span), null, lift(gen));
}

/**
 * Ops of `gen` at least `intervalSeconds` apart (start to start, in total, not per thread). An
 * op that is late (no free thread in time) is not made up for later.
 */
export function delay(intervalSeconds: number, gen: GenLike): Generator {
  const dt = secondsToNs('delay', intervalSeconds);
  return new SpacedGen(() => dt, null, lift(gen));
}

class SleepGen implements Generator {
  readonly dt: number;
  /** When the sleep ends; null until first asked. */
  readonly until: number | null;
  constructor(dt: number, until: number | null) {
    this.dt = dt;
    this.until = until;
  }
  op(_test: GenTest, ctx: GenContext): GenResult {
    const until = this.until ?? ctx.time + this.dt;
    if (ctx.time >= until) return null;
    return { op: 'pending', gen: until === this.until ? this : new SleepGen(this.dt, until), wakeAt: until };
  }
  update(): Generator {
    return this;
  }
}

/**
 * No ops for `seconds`, counted from when it is first asked, then exhausted. In a sequence or
 * `phases` it holds back what follows: `phases(main, sleep(10), finalReads)`.
 */
export function sleep(seconds: number): Generator {
  return new SleepGen(secondsToNs('sleep', seconds), null);
}

class TimeLimitGen implements Generator {
  readonly limitNs: number;
  /** Absolute end, ns; null until the first op. */
  readonly cutoff: number | null;
  readonly gen: Generator;
  constructor(limitNs: number, cutoff: number | null, gen: Generator) {
    this.limitNs = limitNs;
    this.cutoff = cutoff;
    this.gen = gen;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    if (this.cutoff !== null && ctx.time >= this.cutoff) return null;
    const r = this.gen.op(test, ctx);
    if (r === null) return null;
    if (r.op === 'pending') {
      const gen = r.gen === this.gen ? this : new TimeLimitGen(this.limitNs, this.cutoff, r.gen);
      return { op: 'pending', gen, wakeAt: this.cutoff === null ? r.wakeAt : earliest(r.wakeAt, this.cutoff) };
    }
    const cutoff = this.cutoff ?? r.op.time + this.limitNs;
    if (r.op.time >= cutoff) {
      // Nothing fits before the deadline unless an event changes that: wait for one until then.
      return this.cutoff !== null && ctx.time < cutoff ? { op: 'pending', gen: this, wakeAt: cutoff } : null;
    }
    return { op: r.op, gen: new TimeLimitGen(this.limitNs, cutoff, r.gen) };
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const gen = this.gen.update(test, ctx, event);
    return gen === this.gen ? this : new TimeLimitGen(this.limitNs, this.cutoff, gen);
  }
}

/**
 * Ops of `gen` that start within `seconds` of the first one: the deadline is fixed, absolutely,
 * when the first op is emitted; no op starts at or after it.
 */
export function timeLimit(seconds: number, gen: GenLike): Generator {
  return new TimeLimitGen(secondsToNs('timeLimit', seconds), null, lift(gen));
}
