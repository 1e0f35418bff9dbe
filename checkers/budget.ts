/**
 * Budgets for checkers: a time limit and a heap limit. The checker receives an AbortSignal that
 * fires when either runs out; a checker that does not return by then is reported `unknown` with
 * the reason. Long checkers poll `ctx.signal` (or yield to the event loop) so the budget can act.
 */
import type { Checker, CheckContext } from '../src/core/checker.ts';
import type { History } from '../src/core/op.ts';
import type { CheckResult } from '../src/core/validity.ts';
import { isUserError } from '../src/core/errors.ts';

const MEMORY_POLL_MS = 50;

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Runs one checker within ctx.budget; never throws. A checker that rejects its input (a
 * HistoryError / InputError) yields unknown with `badInput: true`.
 */
export function runWithBudget(checker: Checker, history: History, ctx: CheckContext): Promise<CheckResult> {
  return withBudget(checker.name, ctx, (c) => checker.check(history, c));
}

/**
 * Runs `work` (given the context with the budget's signal) within ctx.budget, as runWithBudget
 * runs a checker: `name` is the checker named in the reasons. Never throws.
 */
export async function withBudget(name: string, ctx: CheckContext, work: (ctx: CheckContext) => Promise<CheckResult> | CheckResult): Promise<CheckResult> {
  const budget = ctx.budget ?? {};
  const controller = new AbortController();
  const signals = ctx.signal ? [ctx.signal, controller.signal] : [controller.signal];
  const signal = AbortSignal.any(signals);
  let timer: NodeJS.Timeout | undefined;
  let poll: NodeJS.Timeout | undefined;
  const outOfBudget = new Promise<CheckResult>((resolve) => {
    const stop = (reason: string): void => {
      controller.abort(new Error(reason));
      resolve({ valid: 'unknown', error: reason });
    };
    if (budget.timeMs !== undefined) {
      timer = setTimeout(() => stop(`${name} ran out of its time budget of ${budget.timeMs} ms`), budget.timeMs);
    }
    if (budget.memoryMb !== undefined) {
      const limit = budget.memoryMb * 1024 * 1024;
      poll = setInterval(() => {
        const used = process.memoryUsage().heapUsed;
        if (used > limit) stop(`${name} exceeded its memory budget of ${budget.memoryMb} MB (heap ${Math.round(used / 1048576)} MB)`);
      }, MEMORY_POLL_MS);
    }
    ctx.signal?.addEventListener('abort', () => stop(`${name} was interrupted`), { once: true });
  });
  try {
    const run = Promise.resolve().then(() => work({ ...ctx, signal }));
    const result = await Promise.race([run, outOfBudget]);
    if (!result || typeof result !== 'object' || !('valid' in result)) {
      return { valid: 'unknown', error: `${name} returned no result` };
    }
    return result;
  } catch (e) {
    if (signal.aborted) return { valid: 'unknown', error: describe(signal.reason) };
    // The history does not fit the checker (an op it does not know, a malformed value): the
    // input is at fault, not the checker. `faultline check` turns this into exit code 254.
    if (isUserError(e)) return { valid: 'unknown', error: e.message, badInput: true };
    return { valid: 'unknown', error: `${name} crashed: ${describe(e)}`, stack: e instanceof Error ? e.stack : undefined };
  } finally {
    clearTimeout(timer);
    clearInterval(poll);
  }
}
