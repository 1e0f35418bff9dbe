/**
 * Counts client ops by f and completion type. A run in which some f never succeeded is flagged
 * invalid: a test whose writes all failed proves nothing about the reads.
 * Evidence: `byF[f] = {ok, fail, info, count}`, totals, and `neverSucceeded` (list of f).
 */
import type { SyncChecker } from '../src/core/checker.ts';
import type { History } from '../src/core/op.ts';
import type { CheckResult } from '../src/core/validity.ts';

export interface Counts {
  count: number;
  ok: number;
  fail: number;
  info: number;
}

function empty(): Counts {
  return { count: 0, ok: 0, fail: 0, info: 0 };
}

/** Counts completed client ops (invocations that never completed count as info). */
export function countOps(history: History): { total: Counts; byF: Record<string, Counts> } {
  const total = empty();
  const byF: Record<string, Counts> = {};
  const open = new Map<number, string>();
  const bump = (f: string, type: 'ok' | 'fail' | 'info'): void => {
    const c = (byF[f] ??= empty());
    c.count++;
    c[type]++;
    total.count++;
    total[type]++;
  };
  for (const op of history) {
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      open.set(op.process, op.f);
    } else {
      open.delete(op.process);
      bump(op.f, op.type);
    }
  }
  for (const f of open.values()) bump(f, 'info');
  return { total, byF };
}

export function stats(): SyncChecker {
  return {
    name: 'stats',
    check(history: History): CheckResult {
      const { total, byF } = countOps(history);
      const neverSucceeded = Object.entries(byF)
        .filter(([, c]) => c.ok === 0)
        .map(([f]) => f)
        .sort();
      // A kind of op that never succeeded says the system was unavailable for it: a liveness
      // finding, which a run whose harness could not keep up does not hold against the database.
      const result: CheckResult = { valid: neverSucceeded.length === 0, liveness: true, ...total, byF, neverSucceeded };
      if (total.count === 0) {
        result.valid = 'unknown';
        result.error = 'the history has no client operations';
      } else if (neverSucceeded.length > 0) {
        result.anomalyTypes = ['never-succeeded'];
      }
      return result;
    },
  };
}
