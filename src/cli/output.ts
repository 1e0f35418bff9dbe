/**
 * Printing outcomes: a human summary (verdict, one line per checker) or, with --json, exactly one
 * JSON document on stdout. Colour only on a terminal (util.styleText honours NO_COLOR).
 */
import { styleText } from 'node:util';
import type { CheckResult, Validity } from '../core/validity.ts';
import { checkerLines, verdictWord } from '../report/summary.ts';

function colour(v: Validity, text: string, stream: NodeJS.WriteStream): string {
  if (!stream.isTTY) return text;
  return styleText(v === true ? 'green' : v === false ? 'red' : 'yellow', text);
}

export function printJson(doc: unknown): void {
  process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
}

/**
 * Writes the per-checker lines, then the outcome: the verdict, or INCOMPLETE for a run cut
 * short that found nothing definite (never VALID).
 */
export function printSummary(valid: Validity, checkers: Record<string, CheckResult>, stream: NodeJS.WriteStream, extra: string[] = [], incomplete = false): void {
  const lines = checkerLines(checkers).map(
    (l) => `  ${l.name.padEnd(20)} ${l.informational ? 'INFO    ' : colour(l.valid, verdictWord(l.valid).padEnd(8), stream)} ${l.detail}`,
  );
  const last = incomplete && valid !== false ? colour('unknown', 'INCOMPLETE', stream) : colour(valid, verdictWord(valid), stream);
  stream.write([...lines, ...extra, last, ''].join('\n'));
}
