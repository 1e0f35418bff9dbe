/**
 * The Workload protocol: the ops a test issues (a generator), the final reads after faults heal,
 * and the checker that judges the history.
 */
import type { Checker } from './checker.ts';
import type { Generator } from './generator.ts';

export interface WorkloadOptions {
  /** Options from the command line / test file (keys, rate, ...). */
  readonly [option: string]: unknown;
}

export interface Workload {
  readonly name: string;
  /** Client ops for the main phase. */
  generator: Generator;
  /** Ops run on every client after faults heal (final reads); null for none. */
  finalGenerator: Generator | null;
  checker: Checker;
}
