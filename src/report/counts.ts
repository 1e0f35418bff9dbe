/**
 * How many cases of each anomaly type a checker found: the one function report.html,
 * summary.json, junit.xml and the GitHub annotations take their counts from, so they agree.
 *
 * Read from the checker's result, in this order for each anomaly type T it reports:
 * 1. `anomalyCounts[T]` (checkers that count every case by type: Elle, stale-reads, session,
 *    causal-reverse, counter, bank, long-fork);
 * 2. a `<t>Count` number, T in camel case (`lostCount`, `duplicatedCount` of set-full, queue and
 *    unique-ids);
 * 3. the length of the list of T's cases: `anomalies[T]`, `<T>` or `<t>` (`neverSucceeded`), or
 *    `anomalies` itself when T is the only type;
 * 4. otherwise 1: the checker reported T, so it found at least one case.
 */
import type { CheckResult } from '../core/validity.ts';

type Rec = Record<string, unknown>;

const isRec = (v: unknown): v is Rec => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function camel(type: string): string {
  return type.replace(/-(\w)/g, (_, ch: string) => ch.toUpperCase());
}

function countOf(r: CheckResult, type: string, onlyType: boolean): number {
  const given = r['anomalyCounts'];
  if (isRec(given) && isCount(given[type])) return given[type];
  const named = r[`${camel(type)}Count`];
  if (isCount(named)) return named;
  const anomalies = r.anomalies;
  for (const list of [isRec(anomalies) ? anomalies[type] : undefined, r[type], r[camel(type)], onlyType ? anomalies : undefined]) {
    if (Array.isArray(list) && list.length > 0) return list.length;
  }
  return 1;
}

/** Cases per anomaly type the checker reported (`anomalyTypes`); empty when it reported none. */
export function anomalyCounts(r: CheckResult): Record<string, number> {
  const types = Array.isArray(r.anomalyTypes) ? r.anomalyTypes.filter((t): t is string => typeof t === 'string') : [];
  const out: Record<string, number> = {};
  for (const t of types) out[t] = countOf(r, t, types.length === 1);
  return out;
}

/** "stale-read (164), unexpected-value (2)": the counts in one line, for messages. */
export function countsLine(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([t, n]) => `${t} (${n})`)
    .join(', ');
}
