/**
 * JUnit XML for CI: one <testsuite> per run, one <testcase> per checker. An invalid checker is a
 * <failure> whose message names the anomalies with their counts; an unknown one is an <error>
 * with the reason; a run cut short adds a <testcase name="run"> with an <error> saying why. The body holds the checker's result, cut at 20,000 characters.
 */
import type { CheckResult } from '../core/validity.ts';
import { cutString } from '../../checkers/bounded.ts';
import { anomalyCounts, countsLine } from './counts.ts';
import { describeEnd, type RunEnd } from '../runner/outcome.ts';

function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // XML 1.0 forbids most control characters, even escaped.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

export interface JunitInput {
  suiteName: string;
  checkers: Record<string, CheckResult & { elapsedMs?: number }>;
  timestamp: Date;
  /** How the run ended; a run cut short is one more <testcase name="run"> with an <error>. */
  end?: RunEnd;
}

/** The failure message: the anomalies with their counts (../counts.ts), or why the checker could not decide. */
function summary(r: CheckResult): string {
  const counts = anomalyCounts(r);
  if (Object.keys(counts).length) return `anomalies: ${countsLine(counts)}`;
  return cutString(r.error ?? 'invalid', 2000);
}

export function toJunitXml(input: JunitInput): string {
  const cut = input.end && input.end.reason !== 'completed' ? input.end : undefined;
  const entries: [string, CheckResult & { elapsedMs?: number }][] = [
    ...Object.entries(input.checkers),
    ...(cut ? [['run', { valid: 'unknown', error: describeEnd(cut) }] as [string, CheckResult]] : []),
  ];
  const failures = entries.filter(([, r]) => r.valid === false).length;
  const errors = entries.filter(([, r]) => r.valid === 'unknown').length;
  const totalS = entries.reduce((s, [, r]) => s + (r.elapsedMs ?? 0), 0) / 1000;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="faultline" tests="${entries.length}" failures="${failures}" errors="${errors}" time="${totalS}">`,
    `  <testsuite name="${esc(input.suiteName)}" tests="${entries.length}" failures="${failures}" errors="${errors}" time="${totalS}" timestamp="${input.timestamp.toISOString()}">`,
  ];
  for (const [name, r] of entries) {
    const time = (r.elapsedMs ?? 0) / 1000;
    const open = `    <testcase classname="${esc(input.suiteName)}" name="${esc(name)}" time="${time}"`;
    if (r.valid === true) {
      lines.push(`${open}/>`);
    } else {
      const tag = r.valid === false ? 'failure' : 'error';
      const detail = JSON.stringify(r, null, 2).slice(0, 20_000);
      lines.push(`${open}>`, `      <${tag} message="${esc(summary(r))}">${esc(detail)}</${tag}>`, '    </testcase>');
    }
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
