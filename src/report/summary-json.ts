/**
 * summary.json: a small, stable description of one run for CI and dashboards (the results
 * browser reads it too). Its shape is documented by summary.schema.json next to this file;
 * `schema` names the version, and fields are only ever added within a version.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageFile } from '../code-paths.ts';
import { exitCodeFor, type Validity } from '../core/validity.ts';
import { analyzeRun, type RunAnalysis } from './html/analysis.ts';
import type { OpCounts } from './html/op-table.ts';
import type { RunData } from './html/run-data.ts';

export const SUMMARY_SCHEMA_ID = 'faultline-summary/1';
export const SUMMARY_SCHEMA_PATH = packageFile('src/report/summary.schema.json');

export interface RunSummary {
  schema: typeof SUMMARY_SCHEMA_ID;
  name: string;
  startedAt: string | null;
  valid: Validity;
  verdict: 'valid' | 'invalid' | 'unknown';
  exitCode: number;
  seed: number | null;
  db: string | null;
  workload: string | null;
  nemesis: string[];
  replay: string | null;
  durationS: number;
  ops: Omit<OpCounts, 'durationS'>;
  anomalyTypes: string[];
  anomalyCounts: Record<string, number>;
  models: { not: string[]; alsoNot: string[]; possible: string[] };
  checkers: Array<{ name: string; valid: Validity; anomalyTypes: string[]; error: string | null; elapsedMs: number | null }>;
  faults: Array<{ kind: string; windows: number; totalS: number; opsOverlapping: number }>;
  runErrors: string[];
  files: { report: string; results: string; history: string; junit: string; test: string };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const uniq = (xs: string[]): string[] => [...new Set(xs)];
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export function buildSummary(an: RunAnalysis): RunSummary {
  const o = an.test.options;
  const anomalyCounts: Record<string, number> = {};
  for (const e of an.evidence) {
    if (e.valid === true) continue;
    for (const [type, n] of Object.entries(e.counts)) anomalyCounts[type] = (anomalyCounts[type] ?? 0) + n;
  }
  const nemesis = Array.isArray(o['nemesis']) ? o['nemesis'].map(String) : typeof o['nemesis'] === 'string' && o['nemesis'] ? [o['nemesis']] : [];
  const { durationS, ...ops } = an.counts;
  return {
    schema: SUMMARY_SCHEMA_ID,
    name: an.run.name,
    startedAt: an.test.startedAt ?? null,
    valid: an.valid,
    verdict: an.valid === true ? 'valid' : an.valid === false ? 'invalid' : 'unknown',
    exitCode: exitCodeFor(an.valid),
    seed: Number.isInteger(an.test.seed) ? (an.test.seed as number) : null,
    db: str(o['db']),
    workload: str(o['workload']),
    nemesis,
    replay: an.test.replay || null,
    durationS: round3(durationS),
    ops,
    anomalyTypes: uniq(an.evidence.filter((e) => e.valid !== true).flatMap((e) => e.anomalyTypes)).sort(),
    anomalyCounts,
    models: {
      not: uniq(an.evidence.flatMap((e) => e.not)),
      alsoNot: uniq(an.evidence.flatMap((e) => e.alsoNot)),
      possible: uniq(an.evidence.flatMap((e) => e.possible)),
    },
    checkers: Object.entries(an.checkers).map(([name, r]) => ({
      name,
      valid: r.valid,
      anomalyTypes: r.anomalyTypes ?? [],
      error: str(r.error),
      elapsedMs: typeof r['elapsedMs'] === 'number' ? r['elapsedMs'] : null,
    })),
    faults: an.coverage.kinds.map((k) => ({ kind: k.kind, windows: k.windows, totalS: round3(k.totalMs / 1000), opsOverlapping: k.opsOverlapping })),
    runErrors: an.runErrors,
    files: { report: 'report.html', results: 'results.json', history: 'history.jsonl', junit: 'junit.xml', test: 'test.json' },
  };
}

/** Writes <runDir>/summary.json and returns the summary. */
export function writeSummaryJson(runDir: string, run: RunData | RunAnalysis): RunSummary {
  const summary = buildSummary('table' in run ? run : analyzeRun(run));
  writeFileSync(join(runDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
