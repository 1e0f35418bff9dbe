/**
 * --github: GitHub Actions workflow commands for a checked run. Every checker that found the
 * history invalid becomes an `::error` annotation (unknown: `::warning`) naming the anomalies, the
 * first case's explanation, the replay command and the report; a Markdown summary can be
 * appended to $GITHUB_STEP_SUMMARY. Counts come from ../counts.ts, as in every other output.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { verdictWord } from './summary.ts';
import { anomalyCounts, countsLine } from './counts.ts';
import { readEvidence } from './html/evidence.ts';
import { asValidity, checkerResults, isRecord } from './html/run-data.ts';

export interface GithubInput {
  /** The test name. */
  name: string;
  /** results.json content (the composed result). */
  results: Record<string, unknown>;
  /** The run directory, to point at results.json and report.html. */
  runDir?: string;
  /** The command that replays the run. */
  replay?: string;
}

/** Escapes the message part of a workflow command. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value (title=, file=) of a workflow command. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One workflow command per checker that is not valid; none for a valid run. */
export function githubAnnotations(input: GithubInput): string[] {
  const lines: string[] = [];
  const file = input.runDir ? join(input.runDir, 'results.json') : undefined;
  const tail = [input.replay ? `Replay: ${input.replay}` : '', input.runDir ? `Report: ${join(input.runDir, 'report.html')}` : ''].filter(Boolean);
  const checkers = isRecord(input.results['checkers']) ? checkerResults(input.results) : {};
  for (const [name, r] of Object.entries(checkers)) {
    if (r.valid === true) continue;
    const ev = readEvidence(name, r, Number.MAX_SAFE_INTEGER, 1);
    const found = countsLine(ev.counts);
    const first = ev.cases[0]?.explanation.slice(0, 6).join('\n');
    const body = [
      `${name}: ${verdictWord(r.valid)}${found ? ` — ${found}` : ''}${ev.error ? ` — ${ev.error}` : ''}`,
      ...(ev.not.length ? [`Rules out: ${ev.not.join(', ')}`] : []),
      ...(first ? [first] : []),
      ...tail,
    ].join('\n');
    const level = r.valid === false ? 'error' : 'warning';
    const props = [...(file ? [`file=${escapeProperty(file)}`] : []), `title=${escapeProperty(`${input.name}: ${name} ${verdictWord(r.valid)}`)}`].join(',');
    lines.push(`::${level} ${props}::${escapeData(body)}`);
  }
  const valid = asValidity(input.results['valid']);
  if (lines.length === 0 && valid !== true) {
    const reason = typeof input.results['error'] === 'string' ? input.results['error'] : 'no checker result';
    lines.push(`::${valid === false ? 'error' : 'warning'} title=${escapeProperty(`${input.name}: ${verdictWord(valid)}`)}::${escapeData([reason, ...tail].join('\n'))}`);
  }
  return lines;
}

/** A Markdown table of the checkers for the job summary page. */
export function githubStepSummary(input: GithubInput): string {
  const valid = asValidity(input.results['valid']);
  const rows = Object.entries(checkerResults(input.results)).map(
    ([name, r]) => `| ${name} | ${verdictWord(r.valid)} | ${countsLine(anomalyCounts(r)) || (typeof r.error === 'string' ? r.error.replace(/\|/g, '\\|') : '')} |`,
  );
  return [
    `### ${input.name}: ${verdictWord(valid)}`,
    '',
    '| checker | verdict | found |',
    '| --- | --- | --- |',
    ...rows,
    '',
    ...(input.replay ? [`Replay: \`${input.replay}\``, ''] : []),
    ...(input.runDir ? [`Report: \`${join(input.runDir, 'report.html')}\``, ''] : []),
  ].join('\n');
}

/** Prints the annotations and, when $GITHUB_STEP_SUMMARY is set, appends the Markdown summary to it. */
export function reportToGithub(input: GithubInput, out: NodeJS.WritableStream = process.stdout, env: NodeJS.ProcessEnv = process.env): void {
  for (const line of githubAnnotations(input)) out.write(line + '\n');
  const summaryFile = env['GITHUB_STEP_SUMMARY'];
  if (summaryFile) appendFileSync(summaryFile, githubStepSummary(input) + '\n');
}
