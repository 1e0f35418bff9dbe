/**
 * Whether the cluster came back after the faults healed: of the workload's final ops (those the
 * runner records with `phase: "final"`, after healing and the recovery wait), at least one must
 * succeed. None did: the run says the cluster did not recover, and no verdict is VALID on its
 * word (`unknown`). Evidence: how many final ops ran, and how they ended.
 */
import type { SyncChecker } from '../src/core/checker.ts';
import type { History } from '../src/core/op.ts';
import type { CheckResult } from '../src/core/validity.ts';

export function recovery(): SyncChecker {
  return {
    name: 'recovery',
    check(history: History): CheckResult {
      const final = { invoked: 0, ok: 0, fail: 0, info: 0 };
      for (const op of history) {
        if (op['phase'] !== 'final' || typeof op.process !== 'number') continue;
        if (op.type === 'invoke') final.invoked++;
        else final[op.type]++;
      }
      if (final.invoked === 0) return { valid: 'unknown', error: 'no final op ran after the faults healed: whether the cluster recovered is not known', final };
      if (final.ok === 0) return { valid: 'unknown', error: `the cluster did not recover: none of the ${final.invoked} final ops after healing succeeded`, final };
      return { valid: true, final };
    },
  };
}
