/**
 * The workload registry: names usable with `--workload`, each building its generator, final
 * reads and checker from the test options.
 */
import type { TestOptions } from '../src/core/test.ts';
import type { Workload } from '../src/core/workload.ts';
import { UsageError } from '../src/core/errors.ts';
import { lift } from '../src/generator/index.ts';
import { compose } from '../checkers/compose.ts';
import { linearizable } from '../checkers/linearizable/index.ts';
import { staleReads } from '../checkers/stale-reads/stale-reads.ts';
import { RecentWrites, registerOp } from './register/index.ts';
import { listAppendWorkload, type TxnOptions, type KeyDistribution } from './list-append/index.ts';
import { rwRegisterWorkload } from './rw-register/index.ts';
import { setWorkload } from './set/index.ts';
import { counterWorkload } from './counter/index.ts';
import { bankWorkload } from './bank/index.ts';
import { queueWorkload } from './queue/index.ts';
import { uniqueIdsWorkload } from './unique-ids/index.ts';
import { sessionWorkload } from './session/index.ts';
import { causalWorkload } from './causal/index.ts';
import { longForkWorkload } from './long-fork/index.ts';
import type { Delivery } from '../checkers/queue/queue.ts';

export interface WorkloadEntry {
  description: string;
  /** `--opt` keys the workload reads. */
  options: Readonly<Record<string, string>>;
  make(opts: TestOptions): Workload;
}

function boolOpt(o: TestOptions, key: string): boolean | undefined {
  const text = o.options[key];
  if (text === undefined) return undefined;
  if (text !== 'true' && text !== 'false') throw new UsageError(`--opt ${key} must be true or false, got ${JSON.stringify(text)}`);
  return text === 'true';
}

/** The read-ratio option, only when given (each workload has its own default). */
function readRatio(o: TestOptions): { readRatio?: number } {
  return o.options['read-ratio'] === undefined ? {} : { readRatio: numberOpt(o, 'read-ratio', 0.5) };
}

const READ_RATIO = { 'read-ratio': 'fraction of reads' };

function numberOpt(o: TestOptions, key: string, fallback: number): number {
  const text = o.options[key];
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--opt ${key} must be a non-negative number, got ${JSON.stringify(text)}`);
  return n;
}

const KEY_DISTRIBUTIONS: readonly KeyDistribution[] = ['uniform', 'exponential', 'zipf'];

/** Transaction shape options shared by list-append and rw-register. */
function txnOptions(o: TestOptions): TxnOptions & { consistencyModels?: string[] } {
  const out: TxnOptions & { consistencyModels?: string[] } = {};
  if (o.options['key-count'] !== undefined) out.keyCount = numberOpt(o, 'key-count', 10);
  if (o.options['min-txn-length'] !== undefined) out.minTxnLength = numberOpt(o, 'min-txn-length', 1);
  if (o.options['max-txn-length'] !== undefined) out.maxTxnLength = numberOpt(o, 'max-txn-length', 4);
  if (o.options['max-writes-per-key'] !== undefined) out.maxWritesPerKey = numberOpt(o, 'max-writes-per-key', 32);
  if (o.options['read-ratio'] !== undefined) out.readRatio = numberOpt(o, 'read-ratio', 0.5);
  const dist = o.options['key-distribution'];
  if (dist !== undefined) {
    if (!(KEY_DISTRIBUTIONS as readonly string[]).includes(dist)) {
      throw new UsageError(`--opt key-distribution must be one of ${KEY_DISTRIBUTIONS.join(', ')}, got ${JSON.stringify(dist)}`);
    }
    out.keyDistribution = dist as KeyDistribution;
  }
  const models = o.options['consistency-models'];
  if (models) out.consistencyModels = models.split(',').map((m) => m.trim());
  return out;
}

const TXN_OPTIONS: Readonly<Record<string, string>> = {
  'key-count': 'keys active at a time (default 10)',
  'min-txn-length': 'micro-ops per transaction, at least (default 1)',
  'max-txn-length': 'micro-ops per transaction, at most (default 4)',
  'max-writes-per-key': 'writes before a key is retired (default 32)',
  'key-distribution': KEY_DISTRIBUTIONS.join(' | ') + ' (default exponential)',
  'read-ratio': 'chance a micro-op is a read (default 0.5)',
  'consistency-models': 'models the history must satisfy (default strict-serializable)',
};

export const WORKLOADS: Record<string, WorkloadEntry> = {
  register: {
    description: 'one register: read / write / compare-and-set, every write a fresh value; checked for linearizability and stale reads',
    options: { 'read-ratio': 'fraction of reads (default 0.5)', 'cas-ratio': 'fraction of compare-and-sets (default 0.1)' },
    make(o) {
      const readRatio = numberOpt(o, 'read-ratio', 0.5);
      const casRatio = numberOpt(o, 'cas-ratio', 0.1);
      if (readRatio + casRatio > 1) throw new UsageError('--opt read-ratio plus cas-ratio must be at most 1');
      let n = 0;
      const recent = new RecentWrites();
      return {
        name: 'register',
        generator: lift((_test, ctx) => registerOp(ctx.rng, ++n, { readRatio, casRatio }, recent)),
        finalGenerator: null,
        checker: compose([linearizable({ model: 'cas-register', init: null }), staleReads()]),
      };
    },
  },
  'list-append': {
    description: 'transactions appending to and reading lists; checked for Elle-style anomalies (G0..G2, lost updates, ...)',
    options: TXN_OPTIONS,
    make: (o) => listAppendWorkload(txnOptions(o)),
  },
  'rw-register': {
    description: 'transactions reading and writing registers; checked for Elle-style anomalies',
    options: TXN_OPTIONS,
    make: (o) => rwRegisterWorkload(txnOptions(o)),
  },
  set: {
    description: 'adds to a grow-only set and reads of it, a final read; lost, stale, duplicated and never-read elements',
    options: { ...READ_RATIO, keys: 'independent sets (default 0: one set)', linearizable: 'true: stale reads count as violations (for stores promising linearizable sets)' },
    make: (o) => {
      const linearizable = boolOpt(o, 'linearizable');
      return setWorkload({
        ...readRatio(o),
        ...(o.options['keys'] !== undefined ? { keys: numberOpt(o, 'keys', 0) } : {}),
        ...(linearizable !== undefined ? { linearizable } : {}),
      });
    },
  },
  counter: {
    description: 'increments (and decrements with pn=true) and reads, checked against the range ok / info increments allow',
    options: { ...READ_RATIO, pn: 'true for a PN counter (negative deltas)' },
    make: (o) => {
      const pn = boolOpt(o, 'pn');
      return counterWorkload({ ...readRatio(o), ...(pn !== undefined ? { pn } : {}) });
    },
  },
  bank: {
    description: 'transfers between accounts and reads of all balances: total conserved, no negative balance',
    options: {},
    make: () => bankWorkload(),
  },
  queue: {
    description: 'enqueues, dequeues and a final drain with client retries: lost, duplicated and unexpected messages',
    options: { delivery: 'at-least-once | at-most-once | exactly-once (default at-least-once)', 'idempotency-keys': 'true to send an idempotency key with each message' },
    make: (o) => {
      const delivery = o.options['delivery'];
      if (delivery !== undefined && !['at-least-once', 'at-most-once', 'exactly-once'].includes(delivery)) {
        throw new UsageError(`--opt delivery must be at-least-once, at-most-once or exactly-once, got ${JSON.stringify(delivery)}`);
      }
      const keys = boolOpt(o, 'idempotency-keys');
      return queueWorkload({ ...(delivery ? { delivery: delivery as Delivery } : {}), ...(keys !== undefined ? { idempotencyKeys: keys } : {}) });
    },
  },
  'unique-ids': {
    description: 'generate ids: every id must be distinct',
    options: {},
    make: () => uniqueIdsWorkload(),
  },
  session: {
    description: 'reads and writes per client session: read-your-writes, monotonic reads / writes, writes-follow-reads',
    options: READ_RATIO,
    make: (o) => sessionWorkload(readRatio(o)),
  },
  causal: {
    description: 'causally related writes must be observed in order (causal-reverse)',
    options: READ_RATIO,
    make: (o) => causalWorkload(readRatio(o)),
  },
  'long-fork': {
    description: 'single writes and multi-key reads: two readers must not see concurrent writes in opposite orders',
    options: READ_RATIO,
    make: (o) => longForkWorkload(readRatio(o)),
  },
};

export function workloadEntry(name: string): WorkloadEntry {
  const entry = WORKLOADS[name];
  if (!entry) throw new UsageError(`unknown workload ${JSON.stringify(name)}; known: ${Object.keys(WORKLOADS).sort().join(', ') || '(none)'}`);
  return entry;
}
