/**
 * Faultline's own workload definitions, for the registry behind `--workload`: each declares its
 * options (`--opt <workload>.<name>=<value>`; the old unprefixed spellings still work with a
 * deprecation line) and builds its generator, final reads and checker from them, importing the
 * workload's module on first use (listing workloads loads none of them).
 */
import type { WorkloadDefinition } from '../src/core/parts.ts';
import { UsageError } from '../src/core/errors.ts';
import { opt, type OptionValues } from '../src/options/schema.ts';
import { defineWorkload } from '../src/plugins/define.ts';
import { KEY_ORDER_OPTIONS } from '../checkers/definitions.ts';
import type { KeyDistribution } from './list-append/index.ts';

const KEY_DISTRIBUTIONS: readonly KeyDistribution[] = ['uniform', 'exponential', 'zipf'];

/** Transaction shape options shared by list-append and rw-register. */
const TXN_OPTIONS = {
  'key-count': opt.integer({ doc: 'keys active at a time (default 10)', min: 1, aliases: ['key-count'] }),
  'min-txn-length': opt.integer({ doc: 'micro-ops per transaction, at least (default 1)', min: 1, aliases: ['min-txn-length'] }),
  'max-txn-length': opt.integer({ doc: 'micro-ops per transaction, at most (default 4)', min: 1, aliases: ['max-txn-length'] }),
  'max-writes-per-key': opt.integer({ doc: 'writes before a key is retired (default 32)', min: 1, aliases: ['max-writes-per-key'] }),
  'key-distribution': opt.enum(KEY_DISTRIBUTIONS, { doc: 'how keys are drawn (default exponential)', aliases: ['key-distribution'] }),
  'read-ratio': opt.number({ doc: 'chance a micro-op is a read (default 0.5)', min: 0, max: 1, aliases: ['read-ratio'] }),
  'consistency-models': opt.list({ doc: 'models the history must satisfy (default strict-serializable)', aliases: ['consistency-models'] }),
  ...KEY_ORDER_OPTIONS,
} as const;

function txnOptions(o: OptionValues<typeof TXN_OPTIONS>) {
  return {
    ...(o['key-count'] !== undefined ? { keyCount: o['key-count'] } : {}),
    ...(o['min-txn-length'] !== undefined ? { minTxnLength: o['min-txn-length'] } : {}),
    ...(o['max-txn-length'] !== undefined ? { maxTxnLength: o['max-txn-length'] } : {}),
    ...(o['max-writes-per-key'] !== undefined ? { maxWritesPerKey: o['max-writes-per-key'] } : {}),
    ...(o['key-distribution'] !== undefined ? { keyDistribution: o['key-distribution'] } : {}),
    ...(o['read-ratio'] !== undefined ? { readRatio: o['read-ratio'] } : {}),
    ...(o['consistency-models'] !== undefined ? { consistencyModels: o['consistency-models'] } : {}),
    linearizableKeys: o['linearizable-keys'],
    sequentialKeys: o['sequential-keys'],
    wfrKeys: o['wfr-keys'],
  };
}

export const BUILTIN_WORKLOADS: readonly WorkloadDefinition[] = [
  defineWorkload({
    name: 'register',
    description: 'one register: read / write / compare-and-set, every write a fresh value; checked for linearizability and stale reads',
    options: {
      'read-ratio': opt.number({ doc: 'fraction of reads', default: 0.5, min: 0, max: 1, aliases: ['read-ratio'] }),
      'cas-ratio': opt.number({ doc: 'fraction of compare-and-sets', default: 0.1, min: 0, max: 1, aliases: ['cas-ratio'] }),
      'cas-from': opt.enum(['recent', 'read'], {
        doc: 'what a compare-and-set expects: one of the values written last (recent), or the value its client last read (read: read-modify-write)',
        default: 'recent',
      }),
    },
    async create({ options }) {
      const readRatio = options['read-ratio'];
      const casRatio = options['cas-ratio'];
      if (readRatio + casRatio > 1) throw new UsageError('--opt register.read-ratio plus register.cas-ratio must be at most 1');
      return (await import('./register/workload.ts')).registerWorkload({ readRatio, casRatio, casFrom: options['cas-from'] });
    },
  }),
  defineWorkload({
    name: 'list-append',
    description: 'transactions appending to and reading lists; checked for Elle-style anomalies (G0..G2, lost updates, ...)',
    options: TXN_OPTIONS,
    create: async ({ options }) => (await import('./list-append/index.ts')).listAppendWorkload(txnOptions(options)),
  }),
  defineWorkload({
    name: 'rw-register',
    description: 'transactions reading and writing registers; checked for Elle-style anomalies',
    options: TXN_OPTIONS,
    create: async ({ options }) => (await import('./rw-register/index.ts')).rwRegisterWorkload(txnOptions(options)),
  }),
  defineWorkload({
    name: 'set',
    description: 'adds to a grow-only set and reads of it, a final read; lost, stale, duplicated and never-read elements',
    options: {
      'read-ratio': opt.number({ doc: 'fraction of reads (default: the workload\'s own)', min: 0, max: 1, aliases: ['read-ratio'] }),
      keys: opt.integer({ doc: 'independent sets (0: one set)', default: 0, min: 0, aliases: ['keys'] }),
      linearizable: opt.boolean({ doc: 'stale reads count as violations (for stores promising linearizable sets)', default: false, aliases: ['linearizable'] }),
    },
    create: async ({ options }) =>
      (await import('./set/index.ts')).setWorkload({ keys: options.keys, linearizable: options.linearizable, ...(options['read-ratio'] !== undefined ? { readRatio: options['read-ratio'] } : {}) }),
  }),
  defineWorkload({
    name: 'counter',
    description: 'increments (and decrements with counter.pn=true) and reads, checked against the range ok / info increments allow',
    options: {
      'read-ratio': opt.number({ doc: "fraction of reads (default: the workload's own)", min: 0, max: 1, aliases: ['read-ratio'] }),
      pn: opt.boolean({ doc: 'a PN counter (negative deltas)', default: false, aliases: ['pn'] }),
    },
    create: async ({ options }) => (await import('./counter/index.ts')).counterWorkload({ pn: options.pn, ...(options['read-ratio'] !== undefined ? { readRatio: options['read-ratio'] } : {}) }),
  }),
  defineWorkload({
    name: 'bank',
    description: 'transfers between accounts and reads of all balances: total conserved, no negative balance',
    create: async () => (await import('./bank/index.ts')).bankWorkload(),
  }),
  defineWorkload({
    name: 'queue',
    description: 'enqueues, dequeues and a final drain with client retries: lost, duplicated and unexpected messages',
    options: {
      delivery: opt.enum(['at-least-once', 'at-most-once', 'exactly-once'], { doc: 'the delivery the queue promises', default: 'at-least-once', aliases: ['delivery'] }),
      'idempotency-keys': opt.boolean({ doc: 'send an idempotency key with each message', default: false, aliases: ['idempotency-keys'] }),
    },
    create: async ({ options }) => (await import('./queue/index.ts')).queueWorkload({ delivery: options.delivery, idempotencyKeys: options['idempotency-keys'] }),
  }),
  defineWorkload({
    name: 'unique-ids',
    description: 'generate ids: every id must be distinct',
    create: async () => (await import('./unique-ids/index.ts')).uniqueIdsWorkload(),
  }),
  defineWorkload({
    name: 'session',
    description: 'reads and writes per client session: read-your-writes, monotonic reads / writes, writes-follow-reads',
    options: { 'read-ratio': opt.number({ doc: "fraction of reads (default: the workload's own)", min: 0, max: 1, aliases: ['read-ratio'] }) },
    create: async ({ options }) => (await import('./session/index.ts')).sessionWorkload(options['read-ratio'] !== undefined ? { readRatio: options['read-ratio'] } : {}),
  }),
  defineWorkload({
    name: 'causal',
    description: 'causally related writes must be observed in order (causal-reverse)',
    options: { 'read-ratio': opt.number({ doc: "fraction of reads (default: the workload's own)", min: 0, max: 1, aliases: ['read-ratio'] }) },
    create: async ({ options }) => (await import('./causal/index.ts')).causalWorkload(options['read-ratio'] !== undefined ? { readRatio: options['read-ratio'] } : {}),
  }),
  defineWorkload({
    name: 'long-fork',
    description: 'single writes and multi-key reads: two readers must not see concurrent writes in opposite orders',
    options: { 'read-ratio': opt.number({ doc: "fraction of reads (default: the workload's own)", min: 0, max: 1, aliases: ['read-ratio'] }) },
    create: async ({ options }) => (await import('./long-fork/index.ts')).longForkWorkload(options['read-ratio'] !== undefined ? { readRatio: options['read-ratio'] } : {}),
  }),
];
