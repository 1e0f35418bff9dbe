/**
 * JUnit XML for CI: one <testsuite> per run, one <testcase> per checker. An invalid checker is a
 * <failure> carrying the anomaly summary; an unknown one is an <error> with the reason.
 */
import type { CheckResult } from '../core/validity.ts';

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
}

function summary(r: CheckResult): string {
  if (r.anomalyTypes?.length) return `anomalies: ${r.anomalyTypes.join(', ')}`;
  return r.error ?? 'invalid';
}

export function toJunitXml(input: JunitInput): string {
  const entries = Object.entries(input.checkers);
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
