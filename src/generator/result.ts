/**
 * Small helpers for building generator answers: re-wrapping an answer around a new generator
 * state and combining optional wake-up times.
 */
import type { GenResult, Generator } from '../core/generator.ts';

/** A non-null answer. */
export type Answer = Exclude<GenResult, null>;

/** The same answer (op or pending, with its wake time) carrying `gen` as the next state. */
export function withGen(r: Answer, gen: Generator): Answer {
  return r.op === 'pending' ? { op: 'pending', gen, wakeAt: r.wakeAt } : { op: r.op, gen };
}

/** The earlier of two optional times (undefined means "no time"). */
export function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}
