/**
 * Availability: the fraction of client ops that succeeded (`ok`) overall, outside any fault, and
 * during each fault window (see ../fault-windows.ts). An op counts for a window when it was
 * invoked inside it; invocations that never completed count as not ok.
 *
 * Evidence: `overall`, `outsideFaults`, `byKind[kind]` and `windows[i]`, each an `Availability`
 * ({ops, ok, fail, info, availability}, availability = ok / ops, null without ops). Informational:
 * valid unless `minAvailability` is given and the overall fraction falls below it (anomaly type
 * `low-availability`). Checks op by op too, holding only the open invocations.
 */
import type { FaultStyle } from '../../src/core/nemesis.ts';
import { isClientOp, type Op } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { FaultWindowTracker } from '../fault-windows.ts';
import { foldChecker, type Fold } from '../online.ts';

export interface Availability {
  ops: number;
  ok: number;
  fail: number;
  info: number;
  /** ok / ops; null when there were no ops. */
  availability: number | null;
}

export interface WindowAvailability extends Availability {
  kind: string;
  startMs: number;
  endMs: number;
}

export interface AvailabilityResult extends CheckResult {
  overall: Availability;
  outsideFaults: Availability;
  byKind: Record<string, Availability>;
  windows: WindowAvailability[];
}

export interface AvailabilityOptions {
  styles?: readonly FaultStyle[];
  /** When set, an overall fraction below it makes the result invalid. */
  minAvailability?: number;
}

/** The outcome an invocation ended with: ok, fail, or info (also when it never completed). */
type Outcome = 'ok' | 'fail' | 'info';

function emptyTally(): Availability {
  return { ops: 0, ok: 0, fail: 0, info: 0, availability: null };
}

function count(a: Availability, outcome: Outcome): void {
  a[outcome]++;
  a.ops++;
  a.availability = a.ok / a.ops;
}

function add(into: Availability, a: Availability): Availability {
  into.ok += a.ok;
  into.fail += a.fail;
  into.info += a.info;
  into.ops = into.ok + into.fail + into.info;
  into.availability = into.ops > 0 ? into.ok / into.ops : null;
  return into;
}

interface Invocation {
  time: number;
  /** The fault windows (indices) it was invoked in, once every window that could contain it is known. */
  windows: number[] | undefined;
  outcome: Outcome | undefined;
}

/**
 * The check as a fold over ops (see checkers/online.ts). An invocation at time t belongs to the
 * windows with start <= t <= end; which those are is settled once an op later than t is fed (a
 * window starting at t may be recorded just after it). It is counted once that and its outcome
 * are known, so only the open invocations are held.
 */
class AvailabilityFold implements Fold<AvailabilityResult> {
  private readonly tracker: FaultWindowTracker;
  private readonly minAvailability: number | undefined;
  private readonly overall = emptyTally();
  private readonly outside = emptyTally();
  private readonly perWindow: Availability[] = [];
  /** Invocations not yet counted, in history (time) order, from `head` on. */
  private pending: Invocation[] = [];
  private head = 0;
  private readonly open = new Map<unknown, Invocation>();

  constructor(opts: AvailabilityOptions) {
    this.tracker = new FaultWindowTracker(opts.styles);
    this.minAvailability = opts.minAvailability;
  }

  readonly violated = false;

  feed(op: Op): void {
    this.settleBefore(op.time);
    this.tracker.feed(op);
    while (this.perWindow.length < this.tracker.windows.length) this.perWindow.push(emptyTally());
    if (!isClientOp(op)) return;
    if (op.type === 'invoke') {
      const inv: Invocation = { time: op.time, windows: undefined, outcome: undefined };
      this.open.set(op.process, inv);
      this.pending.push(inv);
      return;
    }
    const inv = this.open.get(op.process);
    if (!inv) return;
    this.open.delete(op.process);
    inv.outcome = op.type === 'ok' ? 'ok' : op.type === 'fail' ? 'fail' : 'info';
    this.countSettled();
  }

  /** Settles the windows of invocations made before `time`, then counts what it can. */
  private settleBefore(time: number): void {
    for (let i = this.head; i < this.pending.length; i++) {
      const inv = this.pending[i]!;
      if (inv.time >= time) break;
      if (inv.windows === undefined) inv.windows = this.windowsAt(inv.time);
    }
    this.countSettled();
  }

  private windowsAt(t: number): number[] {
    const ws = this.tracker.windows;
    const out: number[] = [];
    for (let w = ws.length - 1; w >= 0; w--) {
      const win = ws[w]!;
      if (win.start <= t && (win.end >= t || this.tracker.isOpen(win))) out.push(w);
    }
    return out;
  }

  /** Counts invocations, in order, whose windows and outcome are both known. */
  private countSettled(): void {
    while (this.head < this.pending.length) {
      const inv = this.pending[this.head]!;
      if (inv.windows === undefined || inv.outcome === undefined) break;
      count(this.overall, inv.outcome);
      if (inv.windows.length === 0) count(this.outside, inv.outcome);
      for (const w of inv.windows) count(this.perWindow[w]!, inv.outcome);
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }

  result(): AvailabilityResult {
    // Every window is known now; invocations that never completed count as info.
    for (const inv of this.open.values()) inv.outcome = 'info';
    this.settleBefore(Infinity);
    const byKind: Record<string, Availability> = {};
    const windows: WindowAvailability[] = this.tracker.windows.map((w, i) => {
      const a = this.perWindow[i]!;
      byKind[w.kind] = add(byKind[w.kind] ?? emptyTally(), a);
      return { kind: w.kind, startMs: w.start / 1e6, endMs: w.end / 1e6, ...a };
    });
    const overall = this.overall;
    const min = this.minAvailability;
    const low = min !== undefined && overall.availability !== null && overall.availability < min;
    const pct = (a: Availability): string => (a.availability === null ? 'no ops' : `${(a.availability * 100).toFixed(1)}%`);
    const during = Object.entries(byKind).map(([kind, a]) => `during ${kind} ${pct(a)}`);
    const result: AvailabilityResult = {
      valid: !low,
      // Without a minimum to hold the run to, availability is a measurement, not a verdict.
      informational: min === undefined,
      measurement: [`ok ${pct(overall)} of ${overall.ops} ops`, ...during, ...(windows.length ? [`outside faults ${pct(this.outside)}`] : [])].join('; '),
      ...(min !== undefined ? { minAvailability: min } : {}),
      overall,
      outsideFaults: this.outside,
      byKind,
      windows,
    };
    if (low) result.anomalyTypes = ['low-availability'];
    return result;
  }
}

/** The availability checker; it also checks op by op (`begin`), deciding only at the end. */
export function availability(opts: AvailabilityOptions = {}) {
  return foldChecker('availability', () => new AvailabilityFold(opts));
}
