/** The Checker protocol: a pure analysis of a recorded history. Checkers never touch a cluster. */
import type { TestInfo } from './context.ts';
import type { History } from './op.ts';
import type { CheckResult } from './validity.ts';

export interface CheckBudget {
  /** Wall-clock budget in milliseconds; past it the checker returns `unknown` with the reason. */
  timeMs?: number;
  /** Heap budget in megabytes, for checkers that can grow large (search, graphs). */
  memoryMb?: number;
}

export interface CheckContext {
  /** The test the history came from, when known (options, seed, nodes). */
  test?: TestInfo;
  budget?: CheckBudget;
  /** Aborted when the budget runs out or the user interrupts. Long checkers poll it. */
  signal?: AbortSignal;
  /** A directory the checker may write extra evidence files into. */
  dir?: string;
}

export interface Checker {
  /** Stable name: the key of this checker's result in results.json. */
  readonly name: string;
  check(history: History, ctx: CheckContext): Promise<CheckResult> | CheckResult;
}

/** A checker that answers synchronously (most non-search checkers). */
export interface SyncChecker extends Checker {
  check(history: History, ctx?: CheckContext): CheckResult;
}
