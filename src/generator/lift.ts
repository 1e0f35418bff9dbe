/**
 * Plain values as generators, as in Jepsen: an op template is one op, an array is a sequence,
 * a function is called afresh each time (an infinite generator), null is the empty generator.
 */
import type { GenContext, GenResult, GenTest, Generator, Invocation, OpTemplate } from '../core/generator.ts';
import type { Op, ProcessId } from '../core/op.ts';
import { isFree, processThread, someFreeProcess } from './context.ts';

/**
 * Anything usable as a generator: a Generator, an op template (`{f, value}`: exactly one op),
 * an array (each element until exhausted, in order), a function `(test, ctx) => GenLike`
 * (called each time an op is needed; its result is used until exhausted, then the function is
 * called again; returning null or an empty generator ends it), or null (no ops).
 */
export type GenLike = Generator | OpTemplate | readonly GenLike[] | GenFn | null | undefined;

/** A function generator: returns what to do next, or null when there is nothing more. */
export type GenFn = (test: GenTest, ctx: GenContext) => GenLike;

/** The generator that never yields anything. */
export const EMPTY: Generator = {
  op: () => null,
  update() {
    return EMPTY;
  },
};

/** The invocation a template stands for in `ctx`, or null when its thread (or every thread) is busy. */
export function fillTemplate(t: OpTemplate, ctx: GenContext): Invocation | null {
  let process: ProcessId;
  if (t.process !== undefined) {
    if (!isFree(ctx, processThread(ctx, t.process))) return null;
    process = t.process;
  } else {
    const p = someFreeProcess(ctx);
    if (p === undefined) return null;
    process = p;
  }
  return {
    type: 'invoke',
    f: t.f,
    value: t.value === undefined ? null : t.value,
    process,
    time: t.time === undefined ? ctx.time : t.time,
  };
}

/** One op from a template, on a free thread (or on its own process's thread, when it names one). */
class TemplateGen implements Generator {
  readonly template: OpTemplate;
  constructor(template: OpTemplate) {
    this.template = template;
  }
  op(_test: GenTest, ctx: GenContext): GenResult {
    const inv = fillTemplate(this.template, ctx);
    return inv === null ? { op: 'pending', gen: this } : { op: inv, gen: EMPTY };
  }
  update(): Generator {
    return this;
  }
}

/** Every op of `head`, then of each remaining element in turn. Updates go to the current element. */
class Sequence implements Generator {
  readonly head: Generator;
  readonly rest: readonly GenLike[];
  readonly next: number;
  constructor(head: Generator, rest: readonly GenLike[], next: number) {
    this.head = head;
    this.rest = rest;
    this.next = next;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    let head = this.head;
    let next = this.next;
    for (;;) {
      const r = head.op(test, ctx);
      if (r !== null) {
        const same = r.gen === this.head && next === this.next;
        const gen = same ? this : next >= this.rest.length ? r.gen : new Sequence(r.gen, this.rest, next);
        return r.op === 'pending' ? { op: 'pending', gen, wakeAt: r.wakeAt } : { op: r.op, gen };
      }
      if (next >= this.rest.length) return null;
      head = lift(this.rest[next]);
      next++;
    }
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const head = this.head.update(test, ctx, event);
    return head === this.head ? this : new Sequence(head, this.rest, this.next);
  }
}

/** Calls `fn` for what to do next; runs its result until exhausted, then calls `fn` again. */
class FnGen implements Generator {
  readonly fn: GenFn;
  constructor(fn: GenFn) {
    this.fn = fn;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    // No free thread: nothing the function returns could run now, so do not call it yet.
    if (ctx.freeThreads.length === 0) return { op: 'pending', gen: this };
    const x = this.fn(test, ctx);
    if (x === null || x === undefined) return null;
    if (isTemplate(x)) {
      const inv = fillTemplate(x, ctx);
      if (inv !== null) return { op: inv, gen: this };
      return { op: 'pending', gen: new Sequence(new TemplateGen(x), [this], 0) };
    }
    // A generator that is empty from the start ends this one too (rather than looping forever).
    const r = lift(x).op(test, ctx);
    if (r === null) return null;
    const gen = new Sequence(r.gen, [this], 0);
    return r.op === 'pending' ? { op: 'pending', gen, wakeAt: r.wakeAt } : { op: r.op, gen };
  }
  update(): Generator {
    return this;
  }
}

function isGenerator(x: object): x is Generator {
  return typeof (x as Generator).op === 'function' && typeof (x as Generator).update === 'function';
}

function isTemplate(x: GenLike): x is OpTemplate {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && typeof (x as OpTemplate).f === 'string' && !isGenerator(x);
}

/** Turns any GenLike into a Generator (see GenLike for what each kind of value means). */
export function lift(x: GenLike): Generator {
  if (x === null || x === undefined) return EMPTY;
  if (typeof x === 'function') return new FnGen(x);
  if (Array.isArray(x)) {
    const items = x as readonly GenLike[];
    return items.length === 0 ? EMPTY : new Sequence(lift(items[0]), items, 1);
  }
  if (isGenerator(x as object)) return x as Generator;
  if (isTemplate(x)) return new TemplateGen(x);
  throw new TypeError(`not a generator: ${JSON.stringify(x)} (expected a Generator, an op template with a string f, an array, a function or null)`);
}

class IndexedGen implements Generator {
  readonly k: number;
  readonly fn: (k: number) => OpTemplate;
  /** fn(k), made on first use: it depends on k alone, and a generator is asked many times. */
  #template: OpTemplate | undefined;
  constructor(k: number, fn: (k: number) => OpTemplate) {
    this.k = k;
    this.fn = fn;
  }
  op(_test: GenTest, ctx: GenContext): GenResult {
    if (ctx.freeThreads.length === 0) return { op: 'pending', gen: this };
    this.#template ??= this.fn(this.k);
    const inv = fillTemplate(this.#template, ctx);
    return inv === null ? { op: 'pending', gen: this } : { op: inv, gen: new IndexedGen(this.k + 1, this.fn) };
  }
  update(): Generator {
    return this;
  }
}

/**
 * An infinite generator whose k-th op (from 0) is `fn(k)`. Unlike a function generator, what it
 * yields depends on k alone: asking again for an op that was not taken gives the same op, so a
 * `fn` that seeds its own choices from k makes them the same in every run.
 */
export function indexed(fn: (k: number) => OpTemplate): Generator {
  return new IndexedGen(0, fn);
}

/** A sequence: every op of the first generator, then of the second, and so on. */
export function seq(...gens: GenLike[]): Generator {
  return lift(gens);
}
