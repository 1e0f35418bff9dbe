/**
 * Faultline's checker definitions for the registry behind `--checker`: name, description and
 * options of each, known without loading any checker; `create` imports the one checker it builds.
 * So `faultline list` loads no checker and `faultline check` only those it runs. The functions
 * building each checker are `faultline/checkers` (checkers/index.ts).
 */
import type { CheckerDefinition } from '../src/core/parts.ts';
import { UsageError } from '../src/core/errors.ts';
import { opt, type OptionValues } from '../src/options/schema.ts';
import { defineChecker } from '../src/plugins/define.ts';
import { MODEL_NAMES } from './linearizable/models/names.ts';
import type { KeyOrderOptions } from './elle/version-order.ts';
import { WORKLOAD_CHECKERS } from './workload-checkers.ts';

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
  defineChecker({ name: 'stats', description: 'counts ops by f and type; flags an f that never succeeded', create: async () => (await import('./stats.ts')).stats() }),
  defineChecker({ name: 'perf', description: 'latency quantiles by f and throughput over time (informational)', create: async () => (await import('./perf.ts')).perf() }),
  defineChecker({ name: 'unhandled-errors', description: 'groups the errors clients reported (informational)', create: async () => (await import('./unhandled-errors.ts')).unhandledErrors() }),
  defineChecker({
    name: 'linearizable',
    description: `linearizability against a model (--model ${MODEL_NAMES.join(' | ')}, --init VALUE)`,
    async create({ model, init }) {
      if (!model) throw new UsageError(`the linearizable checker needs a model: --model ${MODEL_NAMES.join(' | ')}`);
      return (await import('./linearizable/index.ts')).linearizable({ model, ...(init !== undefined ? { init } : {}) });
    },
  }),
  defineChecker({
    name: 'list-append',
    description: 'Elle-style transactional anomalies of list-append histories (--consistency-models, default strict-serializable)',
    options: KEY_ORDER_OPTIONS,
    create: async ({ options, consistencyModels }) => (await import('./elle/index.ts')).listAppend({ ...keyOrder(options), ...(consistencyModels ? { consistencyModels } : {}) }),
  }),
  defineChecker({
    name: 'rw-register',
    description: 'Elle-style transactional anomalies of read-write register histories (--consistency-models)',
    options: { ...KEY_ORDER_OPTIONS, 'garbage-reads': opt.boolean({ doc: 'also report reads of values nobody wrote', default: false, aliases: ['garbage-reads', 'garbage-reads?'] }) },
    create: async ({ options, consistencyModels }) =>
      (await import('./elle/index.ts')).rwRegister({ ...keyOrder(options), garbageReads: options['garbage-reads'], ...(consistencyModels ? { consistencyModels } : {}) }),
  }),
  ...WORKLOAD_CHECKERS,
];
