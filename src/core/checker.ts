/** The Checker protocol: a pure analysis of a recorded history. Checkers never touch a cluster. */
import type { TestInfo } from './context.ts';
import type { History, Op } from './op.ts';
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

/**
 * One check fed a history op by op, as it is recorded or read: memory and work stay bounded by
 * what the checker must remember, not by the history's length. Obtained from
 * `IncrementalChecker.begin`; checkers/online.ts composes sessions and adapts checkers that
 * cannot work incrementally.
 *
 *   const session = checker.begin({ budget: { timeMs: 60_000 } });
 *   for await (const op of ops) {
 *     session.feed(op);
 *     if (session.violated) break;      // e.g. --fail-fast: nothing later can repair it
 *   }
 *   const result = await session.finish();   // same verdict as checker.check(allOpsFed, ctx)
 */
export interface CheckSession {
  /**
   * Feeds the next op: history order, dense indices from 0, as `check` would see them. Throws a
   * HistoryError for an op that cannot follow the ones fed (the session is then unusable).
   */
  feed(op: Op): void;
  /**
   * True once the ops fed already prove the history invalid, whatever follows: `finish` will
   * return `valid: false`. False means no violation is definite yet, not that there is none.
   */
  readonly violated: boolean;
  /** Ends the history; resolves with the same result `check` gives for the ops fed. */
  finish(): Promise<CheckResult>;
}

/** A checker that can also check incrementally. */
export interface IncrementalChecker extends Checker {
  /** Starts a session; `ctx.budget` counts from here, and `ctx.signal` cancels it. */
  begin(ctx: CheckContext): CheckSession;
}
