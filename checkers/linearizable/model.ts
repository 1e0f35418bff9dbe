/**
 * The sequential model a linearizability check replays ops against. A model is a small object
 * users can write for their own data types:
 *
 *   const counter: Model<number> = {
 *     name: 'counter',
 *     init: () => 0,
 *     step: (s, op) => op.f === 'inc' ? s + 1 : op.value === s ? s : inconsistent(`read ${op.value}, counter is ${s}`),
 *     key: (s) => s,
 *   };
 *
 * Ops reach the model as ModelOps. By default an `ok` op carries its completion's value (a
 * read's result), an indeterminate op (`info` or never completed) carries its invocation's value
 * and may be linearized anywhere after its invocation, or not at all, and a `fail` op is dropped
 * (it did not happen). `prepare` can change that per op: drop ops that constrain nothing (a read
 * with an unknown result), or keep a `fail` that was observed (a CAS whose compare failed).
 *
 * States must be immutable values; `key` gives their identity (equal states, equal keys) and is
 * used to intern them. `step` must be pure.
 */

/**
 * A transition the model rejects, with the reason shown in counterexamples. The reason may be
 * given as a function: it is then only built when a counterexample shows it (steps are hot).
 */
export class Inconsistent {
  private readonly reason: string | (() => string);
  constructor(reason: string | (() => string)) {
    this.reason = reason;
  }
  get message(): string {
    return typeof this.reason === 'string' ? this.reason : this.reason();
  }
}

export function inconsistent(reason: string | (() => string)): Inconsistent {
  return new Inconsistent(reason);
}

export function isInconsistent(x: unknown): x is Inconsistent {
  return x instanceof Inconsistent;
}

/** How an op ended: ok (happened), info (maybe, at any point after the invocation) or fail. */
export type Outcome = 'ok' | 'info' | 'fail';

export interface ModelOp {
  f: string;
  value: unknown;
  outcome: Outcome;
}

/** What `prepare` sees of an op: both values and how it ended. */
export interface RawModelOp {
  f: string;
  /** The invocation's value. */
  invokeValue: unknown;
  /** The completion's value (undefined when it never completed). */
  completionValue: unknown;
  outcome: Outcome;
  /** The invocation's index in the history. */
  index: number;
}

export interface Model<S = unknown> {
  readonly name: string;
  init(): S;
  step(state: S, op: ModelOp): S | Inconsistent;
  /** Identity of a state: equal states must give equal keys. */
  key(state: S): string | number;
  /**
   * The op the model checks, or null to drop it. Throws a HistoryError naming the op index
   * for an op the model does not know. Defaults to `defaultPrepare`.
   */
  prepare?(op: RawModelOp): ModelOp | null;
  /**
   * For P-compositional models (per-key maps, sets of independent elements): the partition an
   * op belongs to. Each partition is checked on its own from `init()`, so `step` then sees only
   * that partition's ops.
   */
  partition?(op: ModelOp): string | number;
  /** True when the op never changes any state it is legal in (reads); enables greedy steps. */
  readOnly?(op: ModelOp): boolean;
  describeState?(state: S): string;
}

/** Default op preparation: drop fails; ok ops carry the completion's value. */
export function defaultPrepare(op: RawModelOp): ModelOp | null {
  if (op.outcome === 'fail') return null;
  if (op.outcome === 'ok') return { f: op.f, value: op.completionValue === undefined ? op.invokeValue : op.completionValue, outcome: 'ok' };
  return { f: op.f, value: op.invokeValue, outcome: 'info' };
}

/** Human text for a state. */
export function describeState<S>(model: Model<S>, state: S): string {
  if (model.describeState) return model.describeState(state);
  return typeof state === 'string' ? JSON.stringify(state) : (JSON.stringify(state) ?? String(state));
}
