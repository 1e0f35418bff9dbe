/**
 * A plain, self-contained report.html: verdict, checker table, test parameters and the replay
 * command, readable without JavaScript. The interactive report builds on the same data.
 */
import type { CheckResult, Validity } from '../core/validity.ts';
import { checkerLines, verdictWord } from './summary.ts';

export interface PlainReportInput {
  title: string;
  valid: Validity;
  checkers: Record<string, CheckResult>;
  test: Record<string, unknown>;
  replayCommand: string;
  errors: string[];
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const COLORS: Record<string, string> = { VALID: '#2e7d32', INVALID: '#c62828', UNKNOWN: '#ef6c00' };

export function renderPlainReport(input: PlainReportInput): string {
  const word = verdictWord(input.valid);
  const rows = checkerLines(input.checkers)
    .map((l) => `<tr><td>${esc(l.name)}</td><td class="${verdictWord(l.valid)}">${verdictWord(l.valid)}</td><td>${esc(l.detail)}</td></tr>`)
    .join('\n');
  const params = Object.entries(input.test)
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`)
    .join('\n');
  const errors = input.errors.length
    ? `<h2>Errors during the run</h2><ul>${input.errors.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>`
    : '';
  const details = Object.entries(input.checkers)
    .map(([name, r]) => `<details><summary>${esc(name)}</summary><pre>${esc(JSON.stringify(r, null, 2).slice(0, 200_000))}</pre></details>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)} — ${word}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;max-width:70em;color:#222}
h1 .v{color:${COLORS[word]}}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
.VALID{color:${COLORS['VALID']}}.INVALID{color:${COLORS['INVALID']};font-weight:bold}.UNKNOWN{color:${COLORS['UNKNOWN']}}
code,pre{background:#f5f5f5;padding:.2em .4em}pre{overflow:auto;max-height:30em}
</style></head><body>
<h1>${esc(input.title)}: <span class="v">${word}</span></h1>
<p>Replay: <code>${esc(input.replayCommand)}</code></p>
<h2>Checkers</h2>
<table><tr><th>checker</th><th>verdict</th><th>found</th></tr>
${rows}
</table>
${errors}
<h2>Test</h2>
<table>${params}</table>
<h2>Details</h2>
${details}
</body></html>
`;
}
