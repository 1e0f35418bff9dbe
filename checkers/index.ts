/**
 * Faultline's own checker definitions, for the registry behind `--checker`, and the checkers
 * every run gets (counts, performance, error groups). `faultline check` builds checkers from
 * these; a user's checker is a module of the same shape (`defineChecker`).
 */
import type { Checker } from '../src/core/checker.ts';
import type { CheckerDefinition } from '../src/core/parts.ts';
import { UsageError } from '../src/core/errors.ts';
import { opt } from '../src/options/schema.ts';
import { defineChecker } from '../src/plugins/define.ts';
import { stats } from './stats.ts';
import { perf } from './perf.ts';
import { unhandledErrors } from './unhandled-errors.ts';
import { linearizable, MODELS } from './linearizable/index.ts';
import { WORKLOAD_CHECKERS } from './workload-checkers.ts';
import { listAppend, rwRegister } from './elle/index.ts';

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
    create: ({ consistencyModels }) => listAppend(consistencyModels ? { consistencyModels } : {}),
  }),
  defineChecker({
    name: 'rw-register',
    description: 'Elle-style transactional anomalies of read-write register histories (--consistency-models)',
    options: { 'garbage-reads': opt.boolean({ doc: 'also report reads of values nobody wrote', default: false, aliases: ['garbage-reads'] }) },
    create: ({ options, consistencyModels }) => rwRegister({ garbageReads: options['garbage-reads'], ...(consistencyModels ? { consistencyModels } : {}) }),
  }),
  ...WORKLOAD_CHECKERS,
];

/** The checkers added to every run: counts, performance and error groups. */
export function standardCheckers(): Checker[] {
  return [stats(), perf(), unhandledErrors()];
}
