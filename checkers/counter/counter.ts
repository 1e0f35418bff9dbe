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
 * and `read-too-high` (an increment counted twice, or a value from nowhere). Checks op by op
 * too: a read is judged once the adds invoked before it ended have completed.
 */
import { HistoryError } from '../../src/core/errors.ts';
import type { Op } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { foldChecker, type Fold } from '../online.ts';

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

interface PendingRead {
  index: number;
  invokeIndex: number;
  value: number;
  /** Positive and negative deltas of the adds that were ok before the read began. */
  okPos: number;
  okNeg: number;
  /** Adds invoked before the read ended: the ones its upper and lower bounds may include. */
  addsBefore: number;
}

/**
 * The check as a fold over ops (see checkers/online.ts). A read is judged once every add
 * invoked before it ended has completed (a failed one counts for nothing), so reads wait at most
 * as long as the adds concurrent with them; an error is definite once judged.
 */
class CounterFold implements Fold {
  private readonly initial: number;
  private okPos = 0;
  private okNeg = 0;
  /** Adds in invocation order, from the `addsDropped`-th on: delta, and whether it failed (null: open). */
  private adds: { delta: number; failed: boolean | null }[] = [];
  private addsDropped = 0;
  /** Adds settled so far (all earlier ones completed) and their non-failed deltas. */
  private settled = 0;
  private possPos = 0;
  private possNeg = 0;
  private readonly openAdds = new Map<unknown, { delta: number; failed: boolean | null }>();
  private readonly openReads = new Map<unknown, { invokeIndex: number; okPos: number; okNeg: number }>();
  private waiting: PendingRead[] = [];
  private readonly errors: CounterError[] = [];
  private readonly anomalyCounts: Record<string, number> = {};
  private errorCount = 0;
  private reads = 0;
  private final: { index: number; value: number; lower: number; upper: number } | null = null;

  constructor(initial: number) {
    this.initial = initial;
  }

  get violated(): boolean {
    return this.errorCount > 0;
  }

  feed(op: Op): void {
    if (op.f === 'add') {
      if (op.type === 'invoke') {
        const add = { delta: delta(op), failed: null };
        this.adds.push(add);
        this.openAdds.set(op.process, add);
        return;
      }
      const add = this.openAdds.get(op.process);
      if (!add) return;
      this.openAdds.delete(op.process);
      add.failed = op.type === 'fail';
      if (op.type === 'ok') {
        if (add.delta >= 0) this.okPos += add.delta;
        else this.okNeg += add.delta;
      }
      this.judge();
    } else if (op.f === 'read') {
      if (op.type === 'invoke') {
        this.openReads.set(op.process, { invokeIndex: op.index, okPos: this.okPos, okNeg: this.okNeg });
        return;
      }
      const started = this.openReads.get(op.process);
      this.openReads.delete(op.process);
      if (op.type !== 'ok' || !started) return;
      const v = op.value;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new HistoryError(`ok read must have a number as its value, got ${JSON.stringify(v)}`, op.index);
      }
      this.waiting.push({ index: op.index, invokeIndex: started.invokeIndex, value: v, okPos: started.okPos, okNeg: started.okNeg, addsBefore: this.addsDropped + this.adds.length });
      this.judge();
    }
  }

  /** Judges the waiting reads whose adds have all completed, settling adds in invocation order. */
  private judge(): void {
    let w = 0;
    for (;;) {
      while (w < this.waiting.length && this.waiting[w]!.addsBefore === this.settled) this.judgeRead(this.waiting[w++]!);
      const next = this.adds[this.settled - this.addsDropped];
      if (!next || next.failed === null) break;
      if (!next.failed) {
        if (next.delta >= 0) this.possPos += next.delta;
        else this.possNeg += next.delta;
      }
      this.settled++;
    }
    if (w > 0) this.waiting = this.waiting.slice(w);
    // Settled adds are summed up in possPos / possNeg: their entries can go.
    const drop = this.settled - this.addsDropped;
    if (drop > 1024) {
      this.adds = this.adds.slice(drop);
      this.addsDropped += drop;
    }
  }

  private judgeRead(r: PendingRead): void {
    this.reads++;
    const lower = this.initial + r.okPos + this.possNeg;
    const upper = this.initial + this.possPos + r.okNeg;
    this.final = { index: r.index, value: r.value, lower, upper };
    if (r.value >= lower && r.value <= upper) return;
    this.errorCount++;
    const kind = r.value < lower ? 'read-too-low' : 'read-too-high';
    this.anomalyCounts[kind] = (this.anomalyCounts[kind] ?? 0) + 1;
    if (this.errors.length < MAX_EXAMPLES) this.errors.push({ kind, index: r.index, invokeIndex: r.invokeIndex, value: r.value, lower, upper });
  }

  result(): CheckResult {
    // Adds that never completed may have taken effect: they count as not failed.
    for (const add of this.openAdds.values()) add.failed = false;
    this.openAdds.clear();
    this.judge();
    const result: CheckResult = { valid: this.errorCount === 0, reads: this.reads, errorCount: this.errorCount, anomalyCounts: this.anomalyCounts, errors: this.errors, final: this.final };
    if (this.errorCount > 0) result.anomalyTypes = Object.keys(this.anomalyCounts).sort();
    if (this.reads === 0) {
      result.valid = 'unknown';
      result.error = 'no ok reads: nothing to check';
    }
    return result;
  }
}

/** The counter checker; it also checks op by op (`begin`). */
export function counter(opts: CounterOptions = {}) {
  const initial = opts.initial ?? 0;
  return foldChecker('counter', () => new CounterFold(initial));
}
