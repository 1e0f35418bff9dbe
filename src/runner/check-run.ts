/**
 * The check step of a run, also used by `faultline report <run-dir>`: read what history.jsonl
 * holds, check that it is well formed, run the checkers within their budgets, and write
 * results.json, junit.xml and report.html.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Checker } from '../core/checker.ts';
import type { TestOptions } from '../core/test.ts';
import type { CheckResult, Validity } from '../core/validity.ts';
import { readHistoryFile } from '../history/reader.ts';
import { validateHistory } from '../history/validate.ts';
import { runWithBudget } from '../../checkers/budget.ts';
import { toJunitXml } from '../report/junit.ts';
import { writeRunReports } from '../report/html/run-reports.ts';
import { RUN_FILES } from './results-dir.ts';
import { writeSchedule } from '../../nemeses/index.ts';
import type { Logger } from './logger.ts';

export interface CheckRunOptions {
  testOptions: TestOptions;
  replayCommand: readonly string[];
  errors: readonly string[];
  checkerTimeS: number;
  log: Logger;
}

export interface CheckRunResult {
  valid: Validity;
  results: Record<string, unknown>;
}

export async function checkRunDir(runDir: string, checker: Checker, opts: CheckRunOptions): Promise<CheckRunResult> {
  const { log } = opts;
  const { history, tornLastLine } = await readHistoryFile(join(runDir, RUN_FILES.history));
  if (tornLastLine) log.warn('history.jsonl ended in a torn line; it was dropped');
  if (history.some((op) => op.process === 'nemesis')) {
    await writeSchedule(history, join(runDir, RUN_FILES.schedule), opts.testOptions.seed);
  }
  const problems = validateHistory(history);
  let result: CheckResult;
  if (problems.length > 0) {
    const first = problems[0]!;
    result = { valid: 'unknown', error: `history is not well formed: op ${first.index}: ${first.message}`, problems };
  } else {
    log.info(`checking ${history.length} events`);
    result = await runWithBudget(checker, history, {
      test: opts.testOptions as unknown as Record<string, unknown>,
      budget: { timeMs: opts.checkerTimeS * 1000 },
      dir: runDir,
    });
  }
  const checkers = (result['checkers'] as Record<string, CheckResult> | undefined) ?? { [checker.name]: result };
  const results: Record<string, unknown> = {
    ...result,
    valid: result.valid,
    historyEvents: history.length,
    tornLastLine,
    runErrors: opts.errors,
  };
  writeFileSync(join(runDir, RUN_FILES.results), JSON.stringify(results, null, 2) + '\n');
  const testName = basename(dirname(runDir));
  writeFileSync(join(runDir, RUN_FILES.junit), toJunitXml({ suiteName: testName, checkers, timestamp: new Date() }));
  const testPath = join(runDir, RUN_FILES.test);
  const test = existsSync(testPath)
    ? (JSON.parse(readFileSync(testPath, 'utf8')) as Record<string, unknown>)
    : { options: opts.testOptions, replay: opts.replayCommand };
  writeRunReports(runDir, { name: testName, test, results, history });
  return { valid: result.valid, results };
}
