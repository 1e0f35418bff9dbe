/**
 * Choosing one answer among several generators asked at once (any, eachThread, reserve): the
 * soonest invocation wins, ties are broken at random in proportion to the branches' weights
 * (so no branch starves), and pending branches contribute their wake-up times.
 */
import type { GenContext, GenResult, Generator, Invocation } from '../core/generator.ts';
import { EMPTY } from './lift.ts';
import { earliest, type Answer } from './result.ts';

/** Collects the branches' answers for one request, then builds the combined answer. */
export class Choice {
  best: Invocation | null = null;
  /** The branch that gave `best`, and the state that follows it. */
  bestBranch = -1;
  bestGen: Generator = EMPTY;
  #tieWeight = 0;
  /** The earliest wake-up time among pending branches. */
  wakeAt: number | undefined = undefined;
  /** Whether some branch answered pending. */
  pending = false;
  /** Whether a pending branch (or an exhausted one) changed state, which must not be lost. */
  changed = false;
  /** New states for pending and exhausted branches, by branch. */
  readonly adopted = new Map<number, Generator>();

  consider(branch: number, current: Generator, r: GenResult, weight: number, ctx: GenContext): void {
    if (r === null) {
      if (current !== EMPTY) this.adopted.set(branch, EMPTY);
      return;
    }
    if (r.op === 'pending') {
      this.pending = true;
      this.wakeAt = earliest(this.wakeAt, r.wakeAt);
      if (r.gen !== current) {
        this.changed = true;
        this.adopted.set(branch, r.gen);
      }
      return;
    }
    const op = r.op;
    if (this.best === null || op.time < this.best.time) {
      this.#take(branch, op, r.gen);
      this.#tieWeight = weight;
    } else if (op.time === this.best.time) {
      this.#tieWeight += weight;
      if (ctx.rng.next() * this.#tieWeight < weight) this.#take(branch, op, r.gen);
    }
  }

  #take(branch: number, op: Invocation, gen: Generator): void {
    this.best = op;
    this.bestBranch = branch;
    this.bestGen = gen;
  }

  /**
   * The combined answer, or null when no branch had anything (every branch exhausted).
   * `rebuild(withChosen)` makes the next state from the adopted states, plus the chosen
   * branch's state when `withChosen`.
   *
   * An invocation due later is only returned when nothing pending changed state and no pending
   * branch wakes up earlier; otherwise the answer is pending until then, so that no state a
   * pending branch recorded (a sleep's start) is lost by a caller that does not dispatch.
   */
  answer(ctx: GenContext, rebuild: (withChosen: boolean) => Generator): Answer | null {
    const best = this.best;
    if (best !== null && (best.time <= ctx.time || (!this.changed && (this.wakeAt === undefined || best.time <= this.wakeAt)))) {
      return { op: best, gen: rebuild(true) };
    }
    if (best !== null) return { op: 'pending', gen: rebuild(false), wakeAt: earliest(this.wakeAt, best.time) };
    if (this.pending) return { op: 'pending', gen: rebuild(false), wakeAt: this.wakeAt };
    return null;
  }
}
