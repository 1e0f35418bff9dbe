/**
 * The check step of a run, also used by `faultline report <run-dir>`: read what history.jsonl
 * holds, check that it is well formed, run the checkers within their budgets, and write
 * results.json, junit.xml and report.html.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Checker } from '../core/checker.ts';
import type { Logger, TestInfo } from '../core/context.ts';
import type { FaultStyle } from '../core/nemesis.ts';
import { mergeAll, type CheckResult, type Validity } from '../core/validity.ts';
import { readHistoryFile } from '../history/reader.ts';
import { validateHistory } from '../history/validate.ts';
import { runWithBudget } from '../../checkers/budget.ts';
import { compose } from '../../checkers/compose.ts';
import { standardCheckers } from '../../checkers/index.ts';
import { recovery } from '../../checkers/recovery.ts';
import type { Workload } from '../core/workload.ts';
import { toJunitXml } from '../report/junit.ts';
import { writeRunReports } from '../report/html/run-reports.ts';
import { RUN_FILES } from './results-dir.ts';
import { writeSchedule } from '../../nemeses/index.ts';
import { faultCheckers } from './fault-checkers.ts';
import { outcomeOf, type RunEnd } from './outcome.ts';
import type { OnlineRecord } from './online-check.ts';
import { regions } from '../../checkers/regions/regions.ts';
import type { Topology } from '../core/topology.ts';

/**
 * The checker of a run: the workload's own checkers, the test's extra ones, the standard ones,
 * recovery when the workload has final ops, for runs with faults (a nemesis) fault coverage and
 * availability, and for runs with a topology availability and latency per region.
 * `measurements: false` leaves out those that only measure (perf, unhandled errors, fault
 * coverage, availability): what a seed search of `faultline sim` needs, which looks for violations only.
 */
export function runChecker(t: {
  workload: Pick<Workload, 'checker' | 'finalGenerator'>;
  checkers?: readonly Checker[];
  nemesis: { styles: readonly FaultStyle[] } | null;
  topology?: Pick<Topology, 'regions'>;
  measurements?: boolean;
}): Checker {
  const measurements = t.measurements !== false;
  const own = t.workload.checker;
  const parts = 'parts' in own ? (own.parts as Checker[]) : [own];
  const extra = [
    ...(t.checkers ?? []),
    ...standardCheckers({ measurements }),
    ...(t.workload.finalGenerator ? [recovery()] : []),
    ...(t.nemesis && measurements ? faultCheckers(t.nemesis.styles) : []),
    ...(t.topology ? [regions({ regions: t.topology.regions, ...(t.nemesis ? { styles: t.nemesis.styles } : {}) })] : []),
  ];
  const names = new Set(parts.map((c) => c.name));
  return compose([...parts, ...extra.filter((c) => !names.has(c.name) && names.add(c.name))]);
}

export interface CheckRunOptions {
  /** The test the run was, as every part sees it. */
  test: TestInfo;
  /** What test.json records, for the report when test.json is missing. */
  testRecord: Record<string, unknown>;
  errors: readonly string[];
  checkerTimeS: number;
  log: Logger;
  /** How the run ended (a cut-short run is never valid). */
  end: RunEnd;
  /** How late the controller's event loop ran, when measured. */
  harness?: Readonly<Record<string, unknown>>;
  /** The run was checked online too: results.json says what that found and whether it agrees. */
  online?: { describe(recorded: Readonly<Record<string, CheckResult>>): OnlineRecord };
}

/**
 * A harness that could not keep up delays ops itself: findings that hold unavailability against
 * the database (checkers whose result says `liveness: true`) become unknown. Safety findings stand.
 */
function discountLiveness(checkers: Record<string, CheckResult>): void {
  for (const r of Object.values(checkers)) {
    if (r['liveness'] === true && r.valid === false) {
      r.valid = 'unknown';
      r.error = 'the harness could not keep up, so unavailability cannot be held against the database';
    }
  }
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
    await writeSchedule(history, join(runDir, RUN_FILES.schedule), opts.test.seed);
  }
  const problems = validateHistory(history);
  let result: CheckResult;
  if (problems.length > 0) {
    const first = problems[0]!;
    result = { valid: 'unknown', error: `history is not well formed: op ${first.index}: ${first.message}`, problems };
  } else {
    log.info(`checking ${history.length} events`);
    result = await runWithBudget(checker, history, {
      test: opts.test,
      budget: { timeMs: opts.checkerTimeS * 1000 },
      dir: runDir,
    });
  }
  const checkers = (result['checkers'] as Record<string, CheckResult> | undefined) ?? { [checker.name]: result };
  if (opts.end.reason === 'harness-overloaded') {
    discountLiveness(checkers);
    if (result['checkers']) result.valid = mergeAll(Object.values(checkers).map((c) => c.valid));
  }
  const online = opts.online?.describe(checkers);
  if (online && !online.agrees) log.error(`the online check disagrees with the check of the recorded history: ${online.disagreements.join('; ')}`);
  const results: Record<string, unknown> = {
    ...result,
    valid: result.valid,
    outcome: outcomeOf(result.valid, opts.end),
    end: opts.end,
    ...(opts.harness ? { harness: opts.harness } : {}),
    ...(online ? { online } : {}),
    historyEvents: history.length,
    tornLastLine,
    runErrors: opts.errors,
  };
  writeFileSync(join(runDir, RUN_FILES.results), JSON.stringify(results, null, 2) + '\n');
  const testName = basename(dirname(runDir));
  writeFileSync(join(runDir, RUN_FILES.junit), toJunitXml({ suiteName: testName, checkers, timestamp: new Date(), end: opts.end }));
  const testPath = join(runDir, RUN_FILES.test);
  const test = existsSync(testPath)
    ? (JSON.parse(readFileSync(testPath, 'utf8')) as Record<string, unknown>)
    : opts.testRecord;
  writeRunReports(runDir, { name: testName, test, results, history });
  return { valid: result.valid, results };
}
