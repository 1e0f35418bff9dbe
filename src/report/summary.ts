/**
 * The human summary of a run, shared by the console output and the plain HTML report: the
 * verdict, one line per checker, and the command that replays the run.
 */
import type { CheckResult, Validity } from '../core/validity.ts';
import { anomalyCounts, countsLine } from './counts.ts';

export interface CheckerLine {
  name: string;
  valid: Validity;
  detail: string;
  /** A measurement (availability, fault coverage, latency), shown as INFO with its numbers, not as a verdict. */
  informational: boolean;
}

export function verdictWord(v: Validity): string {
  return v === true ? 'VALID' : v === false ? 'INVALID' : 'UNKNOWN';
}

/** One line per checker: its verdict and what it found (anomaly types with their counts, error, or its measurement). */
export function checkerLines(checkers: Record<string, CheckResult>): CheckerLine[] {
  return Object.entries(checkers).map(([name, r]) => {
    let detail = '';
    if (r.anomalyTypes?.length) detail = countsLine(anomalyCounts(r));
    else if (r.error) detail = r.error;
    else if (typeof r['measurement'] === 'string') detail = r['measurement'];
    return { name, valid: r.valid, detail, informational: r['informational'] === true && r.valid === true };
  });
}

/** Shell-quotes argv so the printed replay command can be pasted as is. */
export function shellQuote(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
