/**
 * Counter: every read must lie within the range the increments allow.
 *
 * Ops: `{f: "add", value: delta}` (an integer; negative deltas make it a PN counter) and
 * `{f: "read", value: null}` completing ok with the counter's value.
 * A read may see any add that did not fail and was invoked before the read completed (an ok, info
 * or never-completed add may take effect at any moment after its invocation), and must see every
 * ok add that completed before the read was invoked. So for a read:
 *   lower = initial + (positive deltas of adds ok before the read began)
 *                   + (negative deltas of non-failed adds invoked before it ended)
 *   upper = initial + (positive deltas of non-failed adds invoked before it ended)
 *                   + (negative deltas of adds ok before the read began)
 * Evidence: `reads` (ok reads checked), `errorCount`, `anomalyCounts` (reads per kind), `errors` (up to 100:
 * `{kind, index, invokeIndex, value, lower, upper}`, index = the read's completion), `final`
 * (the last ok read with its range). Anomaly types: `read-too-low` (a lost or undone increment)
 * and `read-too-high` (an increment counted twice, or a value from nowhere).
 */
import type { Checker } from '../../src/core/checker.ts';
import { HistoryError } from '../../src/core/errors.ts';
import type { History, Op } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { completionIndex } from '../../src/history/pairs.ts';

const MAX_EXAMPLES = 100;

export interface CounterOptions {
  /** The counter's value before the test (default 0). */
  initial?: number;
}

export interface CounterError {
  kind: 'read-too-low' | 'read-too-high';
  index: number;
  invokeIndex: number;
  value: number;
  lower: number;
  upper: number;
}

function delta(op: Op): number {
  const v = op.value;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new HistoryError(`add must have a finite number as its value, got ${JSON.stringify(v)}`, op.index);
  }
  return v;
}

export function counter(opts: CounterOptions = {}) {
  const initial = opts.initial ?? 0;
  return {
    name: 'counter',
    check(history: History): CheckResult {
      const partner = completionIndex(history);
      let okPos = 0;
      let okNeg = 0;
      let possPos = 0;
      let possNeg = 0;
      // For each open read: the ok sums when it was invoked.
      const atInvoke = new Map<unknown, { pos: number; neg: number }>();
      const errors: CounterError[] = [];
      const anomalyCounts: Record<string, number> = {};
      let errorCount = 0;
      let reads = 0;
      let final: { index: number; value: number; lower: number; upper: number } | null = null;
      for (let i = 0; i < history.length; i++) {
        const op = history[i]!;
        if (op.f === 'add') {
          if (op.type === 'invoke') {
            const d = delta(op);
            const c = partner[i]!;
            if (c >= 0 && history[c]!.type === 'fail') continue;
            if (d >= 0) possPos += d;
            else possNeg += d;
          } else if (op.type === 'ok') {
            const d = delta(history[partner[i]!] ?? op);
            if (d >= 0) okPos += d;
            else okNeg += d;
          }
        } else if (op.f === 'read') {
          if (op.type === 'invoke') {
            atInvoke.set(op.process, { pos: okPos, neg: okNeg });
            continue;
          }
          const started = atInvoke.get(op.process);
          atInvoke.delete(op.process);
          if (op.type !== 'ok' || !started) continue;
          const v = op.value;
          if (typeof v !== 'number' || !Number.isFinite(v)) {
            throw new HistoryError(`ok read must have a number as its value, got ${JSON.stringify(v)}`, op.index);
          }
          reads++;
          const lower = initial + started.pos + possNeg;
          const upper = initial + possPos + started.neg;
          final = { index: op.index, value: v, lower, upper };
          if (v >= lower && v <= upper) continue;
          errorCount++;
          const kind = v < lower ? 'read-too-low' : 'read-too-high';
          anomalyCounts[kind] = (anomalyCounts[kind] ?? 0) + 1;
          if (errors.length < MAX_EXAMPLES) errors.push({ kind, index: op.index, invokeIndex: partner[i]!, value: v, lower, upper });
        }
      }
      const result: CheckResult = { valid: errorCount === 0, reads, errorCount, anomalyCounts, errors, final };
      if (errorCount > 0) result.anomalyTypes = Object.keys(anomalyCounts).sort();
      if (reads === 0) {
        result.valid = 'unknown';
        result.error = 'no ok reads: nothing to check';
      }
      return result;
    },
  } satisfies Checker;
}
