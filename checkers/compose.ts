/**
 * Runs several checkers over one history and merges their validity (false > unknown > true).
 * A checker that throws, or runs out of its budget, yields `unknown` with the reason; it never
 * loses the other checkers' results. Over a history where no client op succeeded, a checker
 * that found nothing wrong says `unknown`, never VALID (informational checkers excepted). Each
 * result is bounded (see bounded.ts), so a huge op value never makes results.json huge.
 */
import type { Checker, CheckContext } from '../src/core/checker.ts';
import type { History } from '../src/core/op.ts';
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

export function compose(checkers: readonly Checker[]): ComposedChecker {
  const names = new Set<string>();
  for (const c of checkers) {
    if (names.has(c.name)) throw new Error(`compose: two checkers are named ${JSON.stringify(c.name)}`);
    names.add(c.name);
  }
  return {
    name: 'compose',
    parts: checkers,
    async check(history: History, ctx: CheckContext): Promise<ComposedResult> {
      const results: ComposedResult['checkers'] = {};
      let valid: Validity = true;
      const anomalyTypes = new Set<string>();
      const evidence = history.some((op) => op.type === 'ok' && typeof op.process === 'number');
      for (const c of checkers) {
        const started = performance.now();
        let r = boundEvidence(await runWithBudget(c, history, ctx));
        // A verdict needs evidence: no client op succeeded, so nothing was promised or broken.
        if (!evidence && r.valid === true && r['informational'] !== true) r = { ...r, valid: 'unknown', error: NO_EVIDENCE };
        results[c.name] = { ...r, elapsedMs: Math.round(performance.now() - started) };
        valid = mergeValidity(valid, r.valid);
        for (const t of r.anomalyTypes ?? []) anomalyTypes.add(t);
      }
      const out: ComposedResult = { valid, checkers: results };
      if (anomalyTypes.size > 0) out.anomalyTypes = [...anomalyTypes].sort();
      return out;
    },
  };
}
