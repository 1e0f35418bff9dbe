/**
 * `faultline/checkers`: every checker Faultline has, as a function building it, and as a
 * definition for the registry behind `--checker` (checkers/definitions.ts: `faultline check` builds
 * checkers from these).
 * A checker is `{ name, check(history, ctx) }` returning `{ valid, ...evidence }`; a user's is a
 * module exporting `defineChecker({...})`. `compose` runs several with budgets, keeping every
 * result when one crashes or runs out of time (it answers `unknown`).
 *
 * @example
 * import { compose, linearizable, staleReads } from 'faultline/checkers';
 * const result = await compose([linearizable({ model: 'cas-register', init: null }), staleReads()]).check(history, {});
 */
import type { Checker } from '../src/core/checker.ts';
import { stats } from './stats.ts';
import { perf } from './perf.ts';
import { unhandledErrors } from './unhandled-errors.ts';

export { BUILTIN_CHECKERS, KEY_ORDER_OPTIONS } from './definitions.ts';
export { stats, countOps } from './stats.ts';
export { perf, summarize, QUANTILES } from './perf.ts';
export { unhandledErrors } from './unhandled-errors.ts';
export { compose, type ComposedChecker, type ComposedResult } from './compose.ts';
export { runWithBudget } from './budget.ts';
export { linearizable, MODELS, createModel, parseModelInit, inconsistent, isInconsistent, type LinearizableOptions, type Model, type ModelOp, type Outcome } from './linearizable/index.ts';
export { listAppend, rwRegister, type ElleOptions, type RwRegisterOptions } from './elle/index.ts';
export { availability } from './availability/availability.ts';
export { bank } from './bank/bank.ts';
export { causalReverse } from './causal/causal-reverse.ts';
export { counter } from './counter/counter.ts';
export { longFork } from './long-fork/long-fork.ts';
export { queue } from './queue/queue.ts';
export { sessionGuarantees, SESSION_GUARANTEES } from './session/session-guarantees.ts';
export { setFull } from './set/set-full.ts';
export { staleReads } from './stale-reads/stale-reads.ts';
export { uniqueIds } from './unique-ids/unique-ids.ts';
export { WORKLOAD_CHECKERS } from './workload-checkers.ts';

/**
 * The checkers added to every run: counts (stats), and unless `measurements: false` the ones that
 * only measure and never find a violation (performance, error groups).
 */
export function standardCheckers(o: { measurements?: boolean } = {}): Checker[] {
  return [stats(), ...(o.measurements === false ? [] : [perf(), unhandledErrors()])];
}
