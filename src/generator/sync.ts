/**
 * Barriers: synchronize (wait until every thread is idle), phases and andThen (run generators one
 * after another, each starting only when all threads finished the previous one).
 */
import type { GenContext, GenResult, GenTest, Generator } from '../core/generator.ts';
import type { Op } from '../core/op.ts';
import { lift, seq, type GenLike } from './lift.ts';

class SyncGen implements Generator {
  readonly gen: Generator;
  constructor(gen: Generator) {
    this.gen = gen;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    // Once every thread is idle the barrier is passed: the answer carries the bare generator.
    if (ctx.freeThreads.length === ctx.allThreads.length) return this.gen.op(test, ctx);
    return { op: 'pending', gen: this };
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const gen = this.gen.update(test, ctx, event);
    return gen === this.gen ? this : new SyncGen(gen);
  }
}

/** `gen`, starting only once every thread of the context is idle (a barrier, passed once). */
export function synchronize(gen: GenLike): Generator {
  return new SyncGen(lift(gen));
}

/**
 * Each generator in turn, the next starting only when the previous is exhausted and every
 * thread is idle: `phases(timeLimit(60, main), nemesis(heal), sleep(10), clients(finalReads))`.
 */
export function phases(...gens: GenLike[]): Generator {
  return seq(...gens.map(synchronize));
}

/**
 * `first`, then (once it is exhausted and every thread is idle) `next`: Jepsen's `then`, named
 * so because a module exporting `then` is a thenable, which `await import(...)` never settles.
 */
export function andThen(first: GenLike, next: GenLike): Generator {
  return seq(first, synchronize(next));
}
