/**
 * Everything the reports derive from a run, computed once and shared by report.html and
 * summary.json: the op table, completion pairs, per-checker evidence, fault coverage and counts.
 */
import { completionIndex } from '../../history/pairs.ts';
import type { CheckResult, Validity } from '../../core/validity.ts';
import { faultCoverage, type FaultCoverage } from './coverage.ts';
import { readEvidence, type CheckerEvidence } from './evidence.ts';
import { buildOpTable, countOps, type OpCounts, type OpTable } from './op-table.ts';
import { asValidity, checkerResults, testView, type RunData, type TestView } from './run-data.ts';
import type { Outcome, RunEnd } from '../../runner/outcome.ts';

export interface RunAnalysis {
  run: RunData;
  test: TestView;
  valid: Validity;
  checkers: Record<string, CheckResult>;
  table: OpTable;
  /** completionIndex of the history. */
  partner: Int32Array;
  evidence: CheckerEvidence[];
  coverage: FaultCoverage;
  counts: OpCounts;
  runErrors: string[];
  /** The run's one outcome (results.json `outcome`; runs recorded before outcomes existed: their verdict). */
  outcome: Outcome;
  /** How the run ended, when it did not complete. */
  end: RunEnd | null;
}

const OUTCOMES: readonly Outcome[] = ['valid', 'invalid', 'unknown', 'incomplete', 'not-started'];

function readEnd(v: unknown): RunEnd | null {
  const e = v as { reason?: unknown; detail?: unknown } | null;
  if (!e || typeof e.reason !== 'string' || e.reason === 'completed') return null;
  return { reason: e.reason as RunEnd['reason'], ...(typeof e.detail === 'string' ? { detail: e.detail } : {}) };
}

export function analyzeRun(run: RunData): RunAnalysis {
  const test = testView(run.test);
  const concurrency = typeof test.options['concurrency'] === 'number' ? test.options['concurrency'] : undefined;
  const partner = completionIndex(run.history);
  const table = buildOpTable(run.history, concurrency, partner);
  const checkers = checkerResults(run.results);
  const runErrors = Array.isArray(run.results['runErrors']) ? run.results['runErrors'].map(String) : [];
  const valid = asValidity(run.results['valid']);
  const stored = run.results['outcome'];
  return {
    run,
    test,
    valid,
    outcome: OUTCOMES.includes(stored as Outcome) ? (stored as Outcome) : valid === true ? 'valid' : valid === false ? 'invalid' : 'unknown',
    end: readEnd(run.results['end']),
    checkers,
    table,
    partner,
    evidence: Object.entries(checkers).map(([name, r]) => readEvidence(name, r, run.history.length)),
    coverage: faultCoverage(run.history, table),
    counts: countOps(table, run.history.length),
    runErrors,
  };
}
