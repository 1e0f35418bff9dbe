/**
 * What the reports are built from: a run's test description (test.json), its composed results
 * (results.json) and its history, read tolerantly so that reports work on partial runs and on
 * results from checkers whose evidence is still changing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { History } from '../../core/op.ts';
import type { CheckResult, Validity } from '../../core/validity.ts';
import { InputError } from '../../core/errors.ts';
import { readHistoryFile } from '../../history/reader.ts';
import { shellQuote } from '../summary.ts';

export interface RunData {
  /** The test name, shown as the title. */
  name: string;
  /** test.json as written by the runner: {options, seed, replay, startedAt, versions}. */
  test: Record<string, unknown>;
  /** results.json: the composed result {valid, checkers, anomalyTypes, historyEvents, runErrors}. */
  results: Record<string, unknown>;
  history: History;
}

/** The parts of test.json the reports show. */
export interface TestView {
  options: Record<string, unknown>;
  /** The command that replays the run, shell-quoted; empty when unknown. */
  replay: string;
  startedAt: string | undefined;
  seed: unknown;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function testView(test: Record<string, unknown>): TestView {
  const options = isRecord(test['options']) ? test['options'] : test;
  const replayRaw = test['replay'];
  const replay = Array.isArray(replayRaw) ? shellQuote(replayRaw.map(String)) : typeof replayRaw === 'string' ? replayRaw : '';
  const startedAt = typeof test['startedAt'] === 'string' ? test['startedAt'] : undefined;
  return { options, replay, startedAt, seed: test['seed'] ?? options['seed'] };
}

export function asValidity(v: unknown): Validity {
  return v === true || v === false ? v : 'unknown';
}

/** Each checker's result by name: results.checkers, or the results themselves as one checker. */
export function checkerResults(results: Record<string, unknown>): Record<string, CheckResult> {
  const out: Record<string, CheckResult> = {};
  const checkers = results['checkers'];
  if (isRecord(checkers)) {
    for (const [name, r] of Object.entries(checkers)) {
      if (isRecord(r)) out[name] = { ...r, valid: asValidity(r['valid']) };
    }
    return out;
  }
  if ('valid' in results) out['checker'] = { ...results, valid: asValidity(results['valid']) };
  return out;
}

function readJson(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`cannot read: ${(e as Error).message}`, { file: path });
  }
  if (!isRecord(parsed)) throw new InputError('expected a JSON object', { file: path });
  return parsed;
}

/** Reads a run directory; test.json and results.json may be absent (an interrupted run). */
export async function loadRunData(runDir: string): Promise<RunData> {
  const testPath = join(runDir, 'test.json');
  const resultsPath = join(runDir, 'results.json');
  const test = existsSync(testPath) ? readJson(testPath) : {};
  const results = existsSync(resultsPath) ? readJson(resultsPath) : { valid: 'unknown', error: 'no results.json: the run was not checked' };
  const { history } = await readHistoryFile(join(runDir, 'history.jsonl'));
  const options = testView(test).options;
  const name = typeof options['name'] === 'string' ? options['name'] : basename(dirname(runDir));
  return { name, test, results, history };
}
