/**
 * Runs several checkers over one history and merges their validity (false > unknown > true).
 * A checker that throws, or runs out of its budget, yields `unknown` with the reason; it never
 * loses the other checkers' results. Over a history where no client op succeeded, a checker
 * that found nothing wrong says `unknown`, never VALID (informational checkers excepted). Each
 * result is bounded (see bounded.ts), so a huge op value never makes results.json huge.
 */
import type { Checker, CheckContext } from '../src/core/checker.ts';
import type { History, Op } from '../src/core/op.ts';
import { mergeValidity, type CheckResult, type Validity } from '../src/core/validity.ts';
import { runWithBudget } from './budget.ts';
import { boundEvidence } from './bounded.ts';

export interface ComposedResult extends CheckResult {
  /** Each checker's result, by checker name. */
  checkers: Record<string, CheckResult & { elapsedMs: number }>;
}

export interface ComposedChecker extends Checker {
  readonly parts: readonly Checker[];
  check(history: History, ctx: CheckContext): Promise<ComposedResult>;
}

/** Why a checker that found nothing wrong still does not say VALID. */
export const NO_EVIDENCE = 'no client operation succeeded: there is nothing to judge, so no verdict';

/** Whether an op is evidence a verdict can rest on: a client op that succeeded. */
export function isEvidence(op: Op): boolean {
  return op.type === 'ok' && typeof op.process === 'number';
}

/**
 * A checker's result as the composition reports it: bounded, and `unknown` rather than VALID
 * when the history holds no evidence (`evidence`: some op of it passes isEvidence).
 */
export function settled(r: CheckResult, evidence: boolean): CheckResult {
  const bounded = boundEvidence(r);
  // A verdict needs evidence: no client op succeeded, so nothing was promised or broken.
  if (!evidence && bounded.valid === true && bounded['informational'] !== true) return { ...bounded, valid: 'unknown', error: NO_EVIDENCE };
  return bounded;
}

/** Throws when two checkers share a name (their results would collide). */
export function assertDistinctNames(checkers: readonly Checker[]): void {
  const names = new Set<string>();
  for (const c of checkers) {
    if (names.has(c.name)) throw new Error(`compose: two checkers are named ${JSON.stringify(c.name)}`);
    names.add(c.name);
  }
}

/** The composed result of each checker's result: validity merged, anomaly types collected. */
export function composedResult(results: ComposedResult['checkers']): ComposedResult {
  let valid: Validity = true;
  const anomalyTypes = new Set<string>();
  for (const r of Object.values(results)) {
    valid = mergeValidity(valid, r.valid);
    for (const t of r.anomalyTypes ?? []) anomalyTypes.add(t);
  }
  const out: ComposedResult = { valid, checkers: results };
  if (anomalyTypes.size > 0) out.anomalyTypes = [...anomalyTypes].sort();
  return out;
}

export function compose(checkers: readonly Checker[]): ComposedChecker {
  assertDistinctNames(checkers);
  return {
    name: 'compose',
    parts: checkers,
    async check(history: History, ctx: CheckContext): Promise<ComposedResult> {
      const results: ComposedResult['checkers'] = {};
      const evidence = history.some(isEvidence);
      for (const c of checkers) {
        const started = performance.now();
        const r = settled(await runWithBudget(c, history, ctx), evidence);
        results[c.name] = { ...r, elapsedMs: Math.round(performance.now() - started) };
      }
      return composedResult(results);
    },
  };
}
