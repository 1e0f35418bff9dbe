/** Compares a run's verdict with what a self-test case expects; pure, so it is unit-tested. */
import type { Validity } from '../../src/core/validity.ts';
import type { Expectation } from './cases.ts';

export interface RunVerdict {
  valid: Validity;
  anomalyTypes: readonly string[];
}

export interface Judgement {
  pass: boolean;
  /** Why it failed, or what was found when it passed. */
  reason: string;
}

function matches(pattern: string, type: string): boolean {
  return pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern;
}

export function judge(expect: Expectation, run: RunVerdict): Judgement {
  const found = run.anomalyTypes.length ? run.anomalyTypes.join(', ') : 'no anomalies';
  const banned = run.anomalyTypes.filter(t => (expect.forbidden ?? []).some(p => matches(p, t)));
  if (banned.length) return { pass: false, reason: `reported ${banned.join(', ')}, which the design rules out (${found})` };
  if (run.valid !== expect.valid) {
    return { pass: false, reason: `expected valid=${expect.valid}, got valid=${String(run.valid)} (${found})` };
  }
  if (expect.valid) return { pass: true, reason: found };
  const wanted = expect.anyOf ?? [];
  if (wanted.length && !run.anomalyTypes.some(t => wanted.some(p => matches(p, t)))) {
    return { pass: false, reason: `invalid, but none of ${wanted.join(', ')} was reported (${found})` };
  }
  return { pass: true, reason: found };
}
