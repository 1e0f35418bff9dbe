/**
 * `faultline/checkers`: every checker Faultline has, as a function building it, and as a
 * definition for the registry behind `--checker` (`faultline check` builds checkers from these).
 * A checker is `{ name, check(history, ctx) }` returning `{ valid, ...evidence }`; a user's is a
 * module exporting `defineChecker({...})`. `compose` runs several with budgets, keeping every
 * result when one crashes or runs out of time (it answers `unknown`).
 *
 * @example
 * import { compose, linearizable, staleReads } from 'faultline/checkers';
 * const result = await compose([linearizable({ model: 'cas-register', init: null }), staleReads()]).check(history, {});
 */
import type { Checker } from '../src/core/checker.ts';
import type { CheckerDefinition } from '../src/core/parts.ts';
import { UsageError } from '../src/core/errors.ts';
import { opt, type OptionValues } from '../src/options/schema.ts';
import { defineChecker } from '../src/plugins/define.ts';
import { stats } from './stats.ts';
import { perf } from './perf.ts';
import { unhandledErrors } from './unhandled-errors.ts';
import { linearizable, MODELS } from './linearizable/index.ts';
import { WORKLOAD_CHECKERS } from './workload-checkers.ts';
import { listAppend, rwRegister, type KeyOrderOptions } from './elle/index.ts';

/**
 * Elle's per-key order assumptions (its `linearizable-keys?`, `sequential-keys?`, `wfr-keys?`;
 * the trailing `?` may be written too): version orders that hold key by key, added to what the
 * history itself shows.
 */
export const KEY_ORDER_OPTIONS = {
  'linearizable-keys': opt.boolean({ doc: 'each key is linearizable on its own: realtime order gives version order', default: false, aliases: ['linearizable-keys', 'linearizable-keys?'] }),
  'sequential-keys': opt.boolean({ doc: 'each key is sequentially consistent on its own: process order gives version order', default: false, aliases: ['sequential-keys', 'sequential-keys?'] }),
  'wfr-keys': opt.boolean({ doc: 'within a txn, writes follow reads: the version read precedes the one written', default: false, aliases: ['wfr-keys', 'wfr-keys?'] }),
} as const;

function keyOrder(o: OptionValues<typeof KEY_ORDER_OPTIONS>): KeyOrderOptions {
  return { linearizableKeys: o['linearizable-keys'], sequentialKeys: o['sequential-keys'], wfrKeys: o['wfr-keys'] };
}

export const BUILTIN_CHECKERS: readonly CheckerDefinition[] = [
  defineChecker({ name: 'stats', description: 'counts ops by f and type; flags an f that never succeeded', create: () => stats() }),
  defineChecker({ name: 'perf', description: 'latency quantiles by f and throughput over time (informational)', create: () => perf() }),
  defineChecker({ name: 'unhandled-errors', description: 'groups the errors clients reported (informational)', create: () => unhandledErrors() }),
  defineChecker({
    name: 'linearizable',
    description: `linearizability against a model (--model ${Object.keys(MODELS).join(' | ')}, --init VALUE)`,
    create({ model, init }) {
      if (!model) throw new UsageError(`the linearizable checker needs a model: --model ${Object.keys(MODELS).join(' | ')}`);
      return linearizable({ model, ...(init !== undefined ? { init } : {}) });
    },
  }),
  defineChecker({
    name: 'list-append',
    description: 'Elle-style transactional anomalies of list-append histories (--consistency-models, default strict-serializable)',
    options: KEY_ORDER_OPTIONS,
    create: ({ options, consistencyModels }) => listAppend({ ...keyOrder(options), ...(consistencyModels ? { consistencyModels } : {}) }),
  }),
  defineChecker({
    name: 'rw-register',
    description: 'Elle-style transactional anomalies of read-write register histories (--consistency-models)',
    options: { ...KEY_ORDER_OPTIONS, 'garbage-reads': opt.boolean({ doc: 'also report reads of values nobody wrote', default: false, aliases: ['garbage-reads', 'garbage-reads?'] }) },
    create: ({ options, consistencyModels }) =>
      rwRegister({ ...keyOrder(options), garbageReads: options['garbage-reads'], ...(consistencyModels ? { consistencyModels } : {}) }),
  }),
  ...WORKLOAD_CHECKERS,
];

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

/** The checkers added to every run: counts, performance and error groups. */
export function standardCheckers(): Checker[] {
  return [stats(), perf(), unhandledErrors()];
}
