/**
 * The runs in a results directory (results/<test>/<timestamp>/), each described from its
 * summary.json when present, else from test.json and results.json; and pass rates of like runs
 * (same db, workload, nemesis, bug flags and options that change what is promised or checked)
 * across runs, oldest to newest, to show flakiness over time.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Validity } from '../../core/validity.ts';
import { asValidity, testView } from '../html/run-data.ts';

export interface RunEntry {
  /** Path relative to the results directory: <test>/<timestamp>. */
  path: string;
  test: string;
  stamp: string;
  /** ISO time the run started (from test.json, else the folder's timestamp). */
  startedAt: string;
  /** Null while the run has no results.json (running or interrupted). */
  valid: Validity | null;
  anomalyTypes: string[];
  durationS: number | null;
  workload: string;
  nemesis: string;
  db: string;
  /** Bug flags the run turned on, sorted. */
  bugs: string[];
  /** `--opt` settings that change what the system promises or what is checked, as `k=v`, sorted (see promiseOptions). */
  options: string[];
  seed: number | null;
  /** Cases per anomaly type (from summary.json; empty without it). */
  anomalyCounts: Record<string, number>;
  hasReport: boolean;
  hasSummary: boolean;
}

/** Option prefixes and keys that place or pace the run without changing what it promises or checks. */
const HARNESS_OPTION_PREFIXES = ['local.', 'docker.', 'ssh.', 'nemesis.'];
const HARNESS_OPTIONS = new Set(['etcd-tarball', 'consul.binary', 'latency-ms']);

/**
 * The `--opt` settings that make runs unlike each other (e.g. quorum.r=1, lf.mode=sync,
 * consistency-models=...), as sorted `k=v`; where the nodes run (local.prefix, docker.subnet, ...)
 * and how faults are spaced do not count.
 */
export function promiseOptions(options: unknown): string[] {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return [];
  return Object.entries(options as Rec)
    .filter(([k]) => !HARNESS_OPTIONS.has(k) && !HARNESS_OPTION_PREFIXES.some((p) => k.startsWith(p)))
    .map(([k, v]) => `${k}=${String(v)}`)
    .sort();
}

/** What a run tests, in words: `reference:quorum register / partition, bug x, quorum.r=1`. */
export function configLabel(r: Pick<RunEntry, 'db' | 'workload' | 'nemesis' | 'bugs' | 'options'>): string {
  return [`${r.db || '?'} ${r.workload} / ${r.nemesis}`, ...r.bugs.map((b) => `bug ${b}`), ...r.options].join(', ');
}

type Rec = Record<string, unknown>;

function readJson(path: string): Rec | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : undefined;
  } catch {
    return undefined;
  }
}

/** 20261125T120512.345Z → 2026-11-25T12:05:12.345Z (or the stamp itself when it has another form). */
function stampTime(stamp: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d+)?Z/.exec(stamp);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}Z` : stamp;
}

const cache = new Map<string, { key: string; entry: RunEntry }>();

function fileKey(paths: string[]): string {
  return paths.map((p) => (existsSync(p) ? `${statSync(p).mtimeMs}:${statSync(p).size}` : '-')).join('|');
}

function describeRun(root: string, test: string, stamp: string): RunEntry {
  const dir = join(root, test, stamp);
  const files = ['summary.json', 'results.json', 'test.json', 'report.html'].map((f) => join(dir, f));
  const key = fileKey(files);
  const cached = cache.get(dir);
  if (cached && cached.key === key) return cached.entry;
  const summary = readJson(files[0]!);
  const testJson = readJson(files[2]!) ?? {};
  const options = testView(testJson).options;
  const entry: RunEntry = {
    path: `${test}/${stamp}`,
    test,
    stamp,
    startedAt: typeof testJson['startedAt'] === 'string' ? testJson['startedAt'] : stampTime(stamp),
    valid: null,
    anomalyTypes: [],
    durationS: null,
    workload: typeof options['workload'] === 'string' ? options['workload'] : '?',
    nemesis: Array.isArray(options['nemesis']) ? options['nemesis'].join('+') || 'none' : typeof options['nemesis'] === 'string' ? options['nemesis'] : 'none',
    db: typeof options['db'] === 'string' ? options['db'] : '',
    bugs: (Array.isArray(options['bug']) ? options['bug'].map(String) : typeof options['bug'] === 'string' ? [options['bug']] : []).sort(),
    options: promiseOptions(options['options']),
    seed: typeof testJson['seed'] === 'number' ? testJson['seed'] : typeof options['seed'] === 'number' ? options['seed'] : null,
    anomalyCounts: {},
    hasReport: existsSync(files[3]!),
    hasSummary: summary !== undefined,
  };
  if (summary && 'valid' in summary) {
    entry.valid = asValidity(summary['valid']);
    entry.anomalyTypes = Array.isArray(summary['anomalyTypes']) ? summary['anomalyTypes'].map(String) : [];
    entry.durationS = typeof summary['durationS'] === 'number' ? summary['durationS'] : null;
    const counts = summary['anomalyCounts'];
    if (counts && typeof counts === 'object' && !Array.isArray(counts)) {
      entry.anomalyCounts = Object.fromEntries(Object.entries(counts).filter((e): e is [string, number] => typeof e[1] === 'number'));
    }
  } else {
    const results = readJson(files[1]!);
    if (results) {
      entry.valid = asValidity(results['valid']);
      entry.anomalyTypes = Array.isArray(results['anomalyTypes']) ? results['anomalyTypes'].map(String) : [];
      const perf = (results['checkers'] as Rec | undefined)?.['perf'] as Rec | undefined;
      entry.durationS = typeof perf?.['durationS'] === 'number' ? perf['durationS'] : null;
    }
  }
  cache.set(dir, { key, entry });
  return entry;
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'latest' && !e.name.startsWith('.'))
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** Every run under `root`, newest first. Folders without test.json, history.jsonl or results.json are skipped. */
export function scanRuns(root: string): RunEntry[] {
  const runs: RunEntry[] = [];
  for (const test of subdirs(root)) {
    for (const stamp of subdirs(join(root, test))) {
      const dir = join(root, test, stamp);
      if (!['test.json', 'history.jsonl', 'results.json'].some((f) => existsSync(join(dir, f)))) continue;
      runs.push(describeRun(root, test, stamp));
    }
  }
  return runs.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.path.localeCompare(b.path)));
}

export interface PassRate {
  db: string;
  workload: string;
  nemesis: string;
  bugs: string[];
  options: string[];
  /** The group in words (configLabel). */
  label: string;
  runs: number;
  valid: number;
  invalid: number;
  unknown: number;
  /** Checked runs that were valid, in [0, 1]; null when none was checked. */
  rate: number | null;
  /** Verdicts oldest to newest (at most the last 50), for the flakiness strip. */
  recent: Array<{ path: string; valid: Validity | null }>;
}

/** Pass rates per db × workload × nemesis × bug flags × promise options: only like runs are averaged. */
export function passRates(runs: readonly RunEntry[]): PassRate[] {
  const groups = new Map<string, PassRate>();
  for (const r of [...runs].reverse()) {
    const key = JSON.stringify([r.db, r.workload, r.nemesis, r.bugs, r.options]);
    const g = groups.get(key) ?? { db: r.db, workload: r.workload, nemesis: r.nemesis, bugs: r.bugs, options: r.options, label: configLabel(r), runs: 0, valid: 0, invalid: 0, unknown: 0, rate: null, recent: [] };
    g.runs++;
    if (r.valid === true) g.valid++;
    else if (r.valid === false) g.invalid++;
    else if (r.valid === 'unknown') g.unknown++;
    g.recent.push({ path: r.path, valid: r.valid });
    if (g.recent.length > 50) g.recent.shift();
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    const checked = g.valid + g.invalid + g.unknown;
    g.rate = checked ? g.valid / checked : null;
  }
  return [...groups.values()].sort((a, b) => a.label.localeCompare(b.label));
}

/** summary.json of a run (a path from scanRuns), or undefined when it has none. */
export function readRunSummary(root: string, run: RunEntry): Rec | undefined {
  return readJson(join(root, run.path, 'summary.json'));
}
