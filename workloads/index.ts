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
};

export function workloadEntry(name: string): WorkloadEntry {
  const entry = WORKLOADS[name];
  if (!entry) throw new UsageError(`unknown workload ${JSON.stringify(name)}; known: ${Object.keys(WORKLOADS).sort().join(', ') || '(none)'}`);
  return entry;
}
