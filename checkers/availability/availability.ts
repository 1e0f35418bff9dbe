/**
 * Availability: the fraction of client ops that succeeded (`ok`) overall, outside any fault, and
 * during each fault window (see ../fault-windows.ts). An op counts for a window when it was
 * invoked inside it; invocations that never completed count as not ok.
 *
 * Evidence: `overall`, `outsideFaults`, `byKind[kind]` and `windows[i]`, each an `Availability`
 * ({ops, ok, fail, info, availability}, availability = ok / ops, null without ops). Informational:
 * valid unless `minAvailability` is given and the overall fraction falls below it (anomaly type
 * `low-availability`).
 */
import type { Checker } from '../../src/core/checker.ts';
import type { FaultStyle } from '../../src/core/nemesis.ts';
import { isClientOp, type History } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { completionIndex } from '../../src/history/pairs.ts';
import { faultWindows } from '../fault-windows.ts';
import { countBelow } from '../sorted-search.ts';

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

/** Client invocations in time order with prefix counts of each outcome. */
interface Outcomes {
  times: Float64Array;
  /** prefix[k][i] = how many of the first i invocations ended as k (0 ok, 1 fail, 2 info). */
  prefix: [Int32Array, Int32Array, Int32Array];
}

function outcomes(history: History): Outcomes {
  const partner = completionIndex(history);
  let n = 0;
  for (const op of history) if (op.type === 'invoke' && isClientOp(op)) n++;
  const times = new Float64Array(n);
  const prefix: Outcomes['prefix'] = [new Int32Array(n + 1), new Int32Array(n + 1), new Int32Array(n + 1)];
  let i = 0;
  for (let h = 0; h < history.length; h++) {
    const op = history[h]!;
    if (op.type !== 'invoke' || !isClientOp(op)) continue;
    const c = partner[h]!;
    const type = c >= 0 ? history[c]!.type : 'info';
    times[i] = op.time;
    for (let k = 0; k < 3; k++) prefix[k]![i + 1] = prefix[k]![i]!;
    const k = type === 'ok' ? 0 : type === 'fail' ? 1 : 2;
    prefix[k]![i + 1]!++;
    i++;
  }
  return { times, prefix };
}

function tally(o: Outcomes, from: number, to: number, into?: Availability): Availability {
  const a = into ?? { ops: 0, ok: 0, fail: 0, info: 0, availability: null };
  a.ok += o.prefix[0][to]! - o.prefix[0][from]!;
  a.fail += o.prefix[1][to]! - o.prefix[1][from]!;
  a.info += o.prefix[2][to]! - o.prefix[2][from]!;
  a.ops = a.ok + a.fail + a.info;
  a.availability = a.ops > 0 ? a.ok / a.ops : null;
  return a;
}

export function availability(opts: AvailabilityOptions = {}) {
  return {
    name: 'availability',
    check(history: History): AvailabilityResult {
      const o = outcomes(history);
      const n = o.times.length;
      const windows = faultWindows(history, opts.styles);
      const perWindow: WindowAvailability[] = [];
      const byKind: Record<string, Availability> = {};
      // Invocation ranges [from, to) of each window; merged afterwards for "outside any fault".
      const ranges: Array<[number, number]> = [];
      for (const w of windows) {
        const from = countBelow(o.times, w.start);
        const to = countBelow(o.times, w.end, true);
        ranges.push([from, to]);
        perWindow.push({ kind: w.kind, startMs: w.start / 1e6, endMs: w.end / 1e6, ...tally(o, from, to) });
        byKind[w.kind] = tally(o, from, to, byKind[w.kind]);
      }
      ranges.sort((a, b) => a[0] - b[0]);
      const outside: Availability = { ops: 0, ok: 0, fail: 0, info: 0, availability: null };
      let cursor = 0;
      for (const [from, to] of ranges) {
        if (from > cursor) tally(o, cursor, from, outside);
        cursor = Math.max(cursor, to);
      }
      if (cursor < n) tally(o, cursor, n, outside);
      const overall = tally(o, 0, n);
      const low = opts.minAvailability !== undefined && overall.availability !== null && overall.availability < opts.minAvailability;
      const pct = (a: Availability): string => (a.availability === null ? 'no ops' : `${(a.availability * 100).toFixed(1)}%`);
      const during = Object.entries(byKind).map(([kind, a]) => `during ${kind} ${pct(a)}`);
      const result: AvailabilityResult = {
        valid: !low,
        // Without a minimum to hold the run to, availability is a measurement, not a verdict.
        informational: opts.minAvailability === undefined,
        measurement: [`ok ${pct(overall)} of ${overall.ops} ops`, ...during, ...(windows.length ? [`outside faults ${pct(outside)}`] : [])].join('; '),
        ...(opts.minAvailability !== undefined ? { minAvailability: opts.minAvailability } : {}),
        overall,
        outsideFaults: outside,
        byKind,
        windows: perWindow,
      };
      if (low) result.anomalyTypes = ['low-availability'];
      return result;
    },
  } satisfies Checker;
}
