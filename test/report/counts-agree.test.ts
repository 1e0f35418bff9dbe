/**
 * One source of truth for counts: for an invalid run of every checker that can say INVALID, the
 * anomaly counts in summary.json, junit.xml, the GitHub annotations and report.html are the
 * checker's own numbers (its per-type counters, or its full lists of cases where it keeps them
 * all), never a zero for a type it reported.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/core/validity.ts';
import { anomalyCounts } from '../../src/report/counts.ts';
import { githubAnnotations } from '../../src/report/github.ts';
import { toJunitXml } from '../../src/report/junit.ts';
import { loadRunData } from '../../src/report/html/run-data.ts';
import { writeRunReports } from '../../src/report/html/run-reports.ts';
import type { RunSummary } from '../../src/report/summary-json.ts';
import { buildRunDir, removeRun, type BuiltRun } from './fixtures.ts';
import { INVALID_RUNS } from './invalid-runs.ts';

type Rec = Record<string, unknown>;

/** Cases of each kind in a list of `{kind}` or `{type}` records. */
function byKind(list: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of list as Rec[]) {
    const k = String(x['kind'] ?? x['type']);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** The checker's own numbers, read from the fields it documents, independently of counts.ts. */
const OWN: Record<string, (r: Rec) => Record<string, number>> = {
  linearizable: (r) => ({ nonlinearizable: (r['anomalies'] as unknown[]).length }),
  'stale-reads': (r) => ({ 'stale-read': r['staleCount'] as number, ...byKind(r['impossible']) }),
  session: (r) => r['counts'] as Record<string, number>,
  'causal-reverse': (r) => ({ 'causal-reverse': r['count'] as number }),
  'set-full': (r) => ({ lost: r['lostCount'] as number }),
  counter: (r) => {
    expect((r['errors'] as unknown[]).length).toBe(r['errorCount']);
    return byKind(r['errors']);
  },
  bank: (r) => {
    expect((r['errors'] as unknown[]).length).toBe(r['errorCount']);
    return byKind(r['errors']);
  },
  queue: (r) => ({ lost: r['lostCount'] as number }),
  'unique-ids': (r) => ({ duplicated: r['duplicatedCount'] as number }),
  'long-fork': (r) => ({ 'long-fork': r['forkedGroups'] as number }),
  'list-append': (r) => Object.fromEntries(Object.entries(r['anomalies'] as Record<string, unknown[]>).map(([t, l]) => [t, l.length])),
  'rw-register': (r) => Object.fromEntries(Object.entries(r['anomalies'] as Record<string, unknown[]>).map(([t, l]) => [t, l.length])),
  stats: (r) => ({ 'never-succeeded': (r['neverSucceeded'] as unknown[]).length }),
  availability: () => ({ 'low-availability': 1 }),
};

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('anomaly counts agree across outputs', () => {
  const built: BuiltRun[] = [];
  afterAll(() => built.forEach(removeRun));

  it('covers every checker of the invalid runs', () => {
    expect(INVALID_RUNS.map((r) => r.checker).filter((c) => !OWN[c])).toEqual([]);
  });

  it.each(INVALID_RUNS.map((r) => [r.checker, r] as const))('%s: summary.json, junit.xml, annotations and report.html give its own counts', async (name, spec) => {
    const run = await buildRunDir(`counts-${name}`, [...spec.history()], spec.checkers(), { workload: spec.workload, concurrency: 4, nemesis: [] });
    built.push(run);
    const r = (run.results['checkers'] as Record<string, Rec>)[name]!;
    expect(r['valid']).toBe(false);
    const own = OWN[name]!(r);
    expect(Object.keys(own).sort()).toEqual([...(r['anomalyTypes'] as string[])].sort());
    expect(Object.values(own).every((n) => n > 0)).toBe(true);
    expect(anomalyCounts(r as CheckResult)).toEqual(own);

    const { summary } = writeRunReports(run.runDir, await loadRunData(run.runDir));
    const written = JSON.parse(readFileSync(join(run.runDir, 'summary.json'), 'utf8')) as RunSummary;
    expect(written.checkers.find((c) => c.name === name)!.anomalyCounts).toEqual(own);
    for (const [type, n] of Object.entries(own)) {
      const fromAll = summary.checkers.filter((c) => c.valid !== true).reduce((s, c) => s + (c.anomalyCounts[type] ?? 0), 0);
      expect(written.anomalyCounts[type]).toBe(fromAll);
      expect(fromAll).toBeGreaterThanOrEqual(n);
    }

    const junit = toJunitXml({ suiteName: run.name, checkers: run.results['checkers'] as never, timestamp: new Date() });
    const failure = new RegExp(`<testcase [^>]*name="${esc(name)}"[^>]*>\\s*<failure message="([^"]*)"`).exec(junit);
    expect(failure).not.toBeNull();
    const annotation = githubAnnotations({ name: run.name, results: run.results }).find((l) => l.includes(`${run.name}%3A ${name} INVALID`));
    expect(annotation).toBeDefined();
    const html = readFileSync(join(run.runDir, 'report.html'), 'utf8');
    for (const [type, n] of Object.entries(own)) {
      expect(failure![1]).toContain(`${type} (${n})`);
      expect(annotation).toContain(`${type} (${n})`);
      const row = new RegExp(`<tr data-type="${esc(type)}" data-checker="${esc(name)}">.*?<td class="num">(\\d+)</td>`).exec(html);
      expect(Number(row?.[1])).toBe(n);
    }
  });
});
