/**
 * summary.json: a small, stable description of one run for CI and dashboards (the results
 * browser reads it too). Its shape is documented by summary.schema.json next to this file;
 * `schema` names the version, and fields are only ever added within a version.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageFile } from '../code-paths.ts';
import type { Validity } from '../core/validity.ts';
import { exitCodeForOutcome, type Outcome } from '../runner/outcome.ts';
import { analyzeRun, type RunAnalysis } from './html/analysis.ts';
import { TYPE_CODE, type OpCounts, type OpTable } from './html/op-table.ts';
import type { RunData } from './html/run-data.ts';

export const SUMMARY_SCHEMA_ID = 'faultline-summary/1';
export const SUMMARY_SCHEMA_PATH = packageFile('src/report/summary.schema.json');

export interface RunSummary {
  schema: typeof SUMMARY_SCHEMA_ID;
  name: string;
  startedAt: string | null;
  valid: Validity;
  verdict: 'valid' | 'invalid' | 'unknown';
  /** The run's one outcome: the verdict, or incomplete / not-started. */
  outcome: Outcome;
  /** Why the run is incomplete or did not start; null when it completed. */
  end: { reason: string; detail: string | null } | null;
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
  checkers: Array<{ name: string; valid: Validity; anomalyTypes: string[]; anomalyCounts: Record<string, number>; error: string | null; elapsedMs: number | null }>;
  faults: Array<{ kind: string; windows: number; totalS: number; opsOverlapping: number }>;
  runErrors: string[];
  files: { report: string; results: string; history: string; junit: string; test: string };
  /** Bug flags the run turned on. */
  bugs: string[];
  /** The run's `--opt` settings. */
  options: Record<string, string>;
  /** Latency of ok client ops per f, in ms (nearest rank). */
  latencyMs: Record<string, LatencyQuantiles>;
  /** The fault windows in time order (at most MAX_SCHEDULE). */
  faultSchedule: Array<{ kind: string; target: string; startS: number; endS: number }>;
}

export interface LatencyQuantiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Fault windows kept in summary.json; the history has them all. */
export const MAX_SCHEDULE = 500;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const uniq = (xs: string[]): string[] => [...new Set(xs)];
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Nearest-rank quantiles of ok client-op latency per f (typed arrays: a million ops sort in tens of ms). */
function latencyByF(t: OpTable): Record<string, LatencyQuantiles> {
  const isOk = (k: number): boolean => t.lane[k] !== t.nemesisLane && t.type[k] === TYPE_CODE.ok;
  const counts = new Int32Array(t.fs.length);
  for (let k = 0; k < t.n; k++) if (isOk(k)) counts[t.f[k]!]!++;
  const lists = Array.from(counts, (c) => new Float64Array(c));
  const filled = new Int32Array(t.fs.length);
  for (let k = 0; k < t.n; k++) if (isOk(k)) lists[t.f[k]!]![filled[t.f[k]!]!++] = t.t1[k]! - t.t0[k]!;
  const out: Record<string, LatencyQuantiles> = {};
  const order = t.fs.map((_, f) => f).sort((a, b) => t.fs[a]!.localeCompare(t.fs[b]!));
  for (const f of order) {
    const sorted = lists[f]!.sort();
    if (sorted.length === 0) continue;
    const at = (p: number): number => round3(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!);
    out[t.fs[f]!] = { count: sorted.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) };
  }
  return out;
}

function stringMap(v: unknown): Record<string, string> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

export function buildSummary(an: RunAnalysis): RunSummary {
  const o = an.test.options;
  // Counts come from ../counts.ts through the evidence, as the report's and junit's do.
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
    outcome: an.outcome,
    end: an.end ? { reason: an.end.reason, detail: an.end.detail ?? null } : null,
    exitCode: exitCodeForOutcome(an.outcome, false),
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
      anomalyCounts: an.evidence.find((e) => e.checker === name)?.counts ?? {},
      error: str(r.error),
      elapsedMs: typeof r['elapsedMs'] === 'number' ? r['elapsedMs'] : null,
    })),
    faults: an.coverage.kinds.map((k) => ({ kind: k.kind, windows: k.windows, totalS: round3(k.totalMs / 1000), opsOverlapping: k.opsOverlapping })),
    runErrors: an.runErrors,
    files: { report: 'report.html', results: 'results.json', history: 'history.jsonl', junit: 'junit.xml', test: 'test.json' },
    bugs: Array.isArray(o['bug']) ? o['bug'].map(String) : typeof o['bug'] === 'string' ? [o['bug']] : [],
    options: stringMap(o['options']),
    latencyMs: latencyByF(an.table),
    faultSchedule: an.coverage.windows
      .slice(0, MAX_SCHEDULE)
      .map((w) => ({ kind: w.kind, target: w.target, startS: round3(w.startMs / 1000), endS: round3(w.endMs / 1000) })),
  };
}

/** Writes <runDir>/summary.json and returns the summary. */
export function writeSummaryJson(runDir: string, run: RunData | RunAnalysis): RunSummary {
  const summary = buildSummary('table' in run ? run : analyzeRun(run));
  writeFileSync(join(runDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
