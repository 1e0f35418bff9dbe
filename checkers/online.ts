/**
 * Checking while a history is recorded or read, op by op: `beginChecks` starts a session for
 * each checker (src/core/checker.ts: CheckSession), feeds every op to all of them, and says after
 * each op whether a violation is already definite, which is what `--check-online --fail-fast`
 * needs. A checker that cannot check incrementally gets the whole history when the session
 * finishes (its part keeps the ops), so any checker can take part; the memory bound then only
 * holds for the incremental ones.
 *
 *   const session = beginChecks([linearizable({ model: 'cas-register' }), stats()], { budget });
 *   for (const op of ops) {
 *     session.feed(op);
 *     if (session.violated) console.log(`${session.violations.join(', ')} found a violation`);
 *   }
 *   const result = await session.finish();   // the same as compose(checkers).check(ops, ctx)
 *
 * As with compose, a checker that throws (on `feed` or at the end) or runs out of its budget
 * yields `unknown` with the reason and the others' results are kept.
 */
import type { CheckContext, CheckSession, Checker, IncrementalChecker } from '../src/core/checker.ts';
import type { History, Op } from '../src/core/op.ts';
import type { CheckResult } from '../src/core/validity.ts';
import { withBudget } from './budget.ts';
import { assertDistinctNames, composedResult, isEvidence, settled, type ComposedResult } from './compose.ts';

export interface ComposedSession extends CheckSession {
  /** The checkers whose violation is already definite, by name. */
  readonly violations: string[];
  finish(): Promise<ComposedResult>;
}

/**
 * A checker's logic as a fold over the history's ops, for checkers whose memory is bounded by
 * what they must remember anyway (counts, open invocations, the ids seen): foldChecker runs it
 * over the whole history in `check` and op by op in a session, so both give the same result.
 */
export interface Fold<R extends CheckResult = CheckResult> {
  feed(op: Op): void;
  /** True once the ops fed prove a violation, whatever follows. */
  readonly violated: boolean;
  /** The result for the ops fed (called once, at the end). */
  result(): R;
}

/**
 * An incremental checker from a fold started per check:
 *
 *   export const uniqueIds = () => foldChecker('unique-ids', () => new UniqueIdsFold());
 */
export function foldChecker<R extends CheckResult>(name: string, start: (ctx: CheckContext) => Fold<R>): IncrementalChecker & { check(history: History, ctx?: CheckContext): R } {
  return {
    name,
    check(history: History, ctx: CheckContext = {}): R {
      const fold = start(ctx);
      for (const op of history) fold.feed(op);
      return fold.result();
    },
    begin(ctx: CheckContext): CheckSession {
      const fold = start(ctx);
      return {
        feed: (op) => fold.feed(op),
        get violated() {
          return fold.violated;
        },
        finish: () => Promise.resolve(fold.result()),
      };
    },
  };
}

export function isIncremental(checker: Checker): checker is IncrementalChecker {
  return typeof (checker as Partial<IncrementalChecker>).begin === 'function';
}

interface Part {
  name: string;
  feed(op: Op): void;
  readonly violated: boolean;
  finish(ctx: CheckContext): Promise<CheckResult> | CheckResult;
  /** What `feed` threw; the part is fed nothing more and finishes `unknown` with it. */
  failure: { error: unknown } | undefined;
  ms: number;
}

function partOf(checker: Checker, ctx: CheckContext): Part {
  const base = { name: checker.name, failure: undefined, ms: 0 };
  if (isIncremental(checker)) {
    let session: CheckSession;
    try {
      session = checker.begin(ctx);
    } catch (error) {
      return { ...base, feed: () => {}, violated: false, finish: () => ({ valid: 'unknown' }), failure: { error } };
    }
    return {
      ...base,
      feed: (op) => session.feed(op),
      get violated() {
        return session.violated;
      },
      finish: () => session.finish(),
    };
  }
  const history: Op[] = [];
  return { ...base, feed: (op) => void history.push(op), violated: false, finish: (c) => checker.check(history, c) };
}

/** Starts checking a history op by op with every checker; ctx's budget applies to each. */
export function beginChecks(checkers: readonly Checker[], ctx: CheckContext): ComposedSession {
  assertDistinctNames(checkers);
  const parts = checkers.map((c) => partOf(c, ctx));
  const violations = (): string[] => parts.filter((p) => p.failure === undefined && p.violated).map((p) => p.name);
  let evidence = false;
  return {
    feed(op: Op): void {
      evidence ||= isEvidence(op);
      for (const p of parts) {
        if (p.failure) continue;
        const started = performance.now();
        try {
          p.feed(op);
        } catch (error) {
          p.failure = { error };
        }
        p.ms += performance.now() - started;
      }
    },
    get violated(): boolean {
      return violations().length > 0;
    },
    get violations(): string[] {
      return violations();
    },
    async finish(): Promise<ComposedResult> {
      const results: ComposedResult['checkers'] = {};
      for (const p of parts) {
        const started = performance.now();
        const r = await withBudget(p.name, ctx, (c) => {
          if (p.failure) throw p.failure.error;
          return p.finish(c);
        });
        results[p.name] = { ...settled(r, evidence), elapsedMs: Math.round(p.ms + performance.now() - started) };
      }
      return composedResult(results);
    },
  };
}
