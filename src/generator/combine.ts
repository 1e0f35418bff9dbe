/**
 * Combinators that draw ops from several generators: any (soonest op of all), mix (a random
 * one each time), flipFlop (alternate).
 */
import type { GenContext, GenResult, GenTest, Generator } from '../core/generator.ts';
import type { Op } from '../core/op.ts';
import { Choice } from './choice.ts';
import { lift, type GenLike } from './lift.ts';
import { withGen } from './result.ts';

/** Every generator's update; the same array when none changed. */
function updateAll(gens: readonly Generator[], test: GenTest, ctx: GenContext, event: Op): readonly Generator[] {
  let out: Generator[] | null = null;
  for (let i = 0; i < gens.length; i++) {
    const g = gens[i]!;
    const u = g.update(test, ctx, event);
    if (u !== g) {
      out ??= gens.slice();
      out[i] = u;
    }
  }
  return out ?? gens;
}

class AnyGen implements Generator {
  readonly gens: readonly Generator[];
  constructor(gens: readonly Generator[]) {
    this.gens = gens;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    const choice = new Choice();
    for (let i = 0; i < this.gens.length; i++) {
      const g = this.gens[i]!;
      choice.consider(i, g, g.op(test, ctx), 1, ctx);
    }
    return choice.answer(ctx, (withChosen) => {
      if (choice.adopted.size === 0 && !withChosen) return this;
      const gens = this.gens.slice();
      for (const [i, g] of choice.adopted) gens[i] = g;
      if (withChosen) gens[choice.bestBranch] = choice.bestGen;
      return new AnyGen(gens);
    });
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const gens = updateAll(this.gens, test, ctx, event);
    return gens === this.gens ? this : new AnyGen(gens);
  }
}

/**
 * All the generators at once: each request gets the soonest op any of them offers (ties broken
 * at random). Every generator sees every update. Ends when all are exhausted.
 */
export function any(...gens: GenLike[]): Generator {
  if (gens.length === 1) return lift(gens[0]);
  return new AnyGen(gens.map(lift));
}

class MixGen implements Generator {
  /** The generator to ask next; -1 to pick one at random when asked. */
  readonly i: number;
  readonly gens: readonly Generator[];
  constructor(i: number, gens: readonly Generator[]) {
    this.i = i;
    this.gens = gens;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    let gens = this.gens;
    let i = this.i;
    while (gens.length > 0) {
      if (i < 0) i = ctx.rng.int(gens.length);
      const r = gens[i]!.op(test, ctx);
      if (r === null) {
        gens = gens.filter((_, j) => j !== i);
        i = -1;
        continue;
      }
      const next = gens.slice();
      next[i] = r.gen;
      // After an op, the next request picks afresh; while pending, stay with the same choice.
      return withGen(r, new MixGen(r.op === 'pending' ? i : -1, next));
    }
    return null;
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const gens = updateAll(this.gens, test, ctx, event);
    return gens === this.gens ? this : new MixGen(this.i, gens);
  }
}

/**
 * A random mixture: each op comes from a generator chosen uniformly at random; exhausted ones
 * drop out and the mix ends when all have. A chosen generator that is pending holds the mix
 * until it answers (as in Jepsen). Every generator sees every update.
 */
export function mix(gens: readonly GenLike[]): Generator {
  return new MixGen(-1, gens.map(lift));
}

class FlipFlopGen implements Generator {
  readonly i: number;
  readonly gens: readonly Generator[];
  constructor(i: number, gens: readonly Generator[]) {
    this.i = i;
    this.gens = gens;
  }
  op(test: GenTest, ctx: GenContext): GenResult {
    const r = this.gens[this.i]!.op(test, ctx);
    if (r === null) return null;
    const next = this.gens.slice();
    next[this.i] = r.gen;
    return withGen(r, new FlipFlopGen(r.op === 'pending' ? this.i : (this.i + 1) % next.length, next));
  }
  update(test: GenTest, ctx: GenContext, event: Op): Generator {
    const gens = updateAll(this.gens, test, ctx, event);
    return gens === this.gens ? this : new FlipFlopGen(this.i, gens);
  }
}

/**
 * An op from `a`, then one from `b`, then `a` again, and so on; ends as soon as the one whose
 * turn it is is exhausted. Both see every update. Typical for faults:
 * `flipFlop(repeat({f: 'start-partition'}), repeat({f: 'stop-partition'}))`.
 */
export function flipFlop(a: GenLike, b: GenLike): Generator {
  return new FlipFlopGen(0, [lift(a), lift(b)]);
}
