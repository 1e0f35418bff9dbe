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
import { registerOp } from './register/index.ts';
import { listAppendWorkload, type TxnOptions, type KeyDistribution } from './list-append/index.ts';
import { rwRegisterWorkload } from './rw-register/index.ts';

export interface WorkloadEntry {
  description: string;
  /** `--opt` keys the workload reads. */
  options: Readonly<Record<string, string>>;
  make(opts: TestOptions): Workload;
}

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
      return {
        name: 'register',
        generator: lift((_test, ctx) => registerOp(ctx.rng, ++n, { readRatio, casRatio })),
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
};

export function workloadEntry(name: string): WorkloadEntry {
  const entry = WORKLOADS[name];
  if (!entry) throw new UsageError(`unknown workload ${JSON.stringify(name)}; known: ${Object.keys(WORKLOADS).sort().join(', ') || '(none)'}`);
  return entry;
}
