// summary.json: built from real checker results, it conforms to the shipped JSON Schema (checked
// by a small validator for the keywords the schema uses) and carries the run's numbers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRunDir, removeRun, g1cHistory, listAppendCheckers, registerCheckers, registerHistory } from '../../test/report/fixtures.ts';
import { loadRunData } from './html/run-data.ts';
import { buildSummary, SUMMARY_SCHEMA_ID, SUMMARY_SCHEMA_PATH, writeSummaryJson } from './summary-json.ts';
import { analyzeRun } from './html/analysis.ts';
import { completionIndex } from '../history/pairs.ts';
import { faultWindows } from '../../checkers/fault-windows.ts';

type Schema = Record<string, unknown>;

/** Errors of `value` against `schema`, for type / const / enum / required / properties / additionalProperties / items / minimum. */
function validate(schema: Schema, value: unknown, at = '$'): string[] {
  const errors: string[] = [];
  const typeOf = (v: unknown): string[] =>
    v === null ? ['null'] : Array.isArray(v) ? ['array'] : typeof v === 'number' ? (Number.isInteger(v) ? ['integer', 'number'] : ['number']) : [typeof v];
  if ('const' in schema && schema['const'] !== value) errors.push(`${at}: expected ${JSON.stringify(schema['const'])}`);
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(value)) errors.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if (schema['type'] !== undefined) {
    const allowed = Array.isArray(schema['type']) ? schema['type'] : [schema['type']];
    if (!typeOf(value).some((t) => allowed.includes(t))) errors.push(`${at}: type ${typeOf(value)[0]} not in ${allowed.join('|')}`);
  }
  if (typeof schema['minimum'] === 'number' && typeof value === 'number' && value < schema['minimum']) errors.push(`${at}: below minimum`);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const key of (schema['required'] as string[] | undefined) ?? []) if (!(key in obj)) errors.push(`${at}: missing ${key}`);
    const props = (schema['properties'] as Record<string, Schema> | undefined) ?? {};
    for (const [key, v] of Object.entries(obj)) {
      if (props[key]) errors.push(...validate(props[key], v, `${at}.${key}`));
      else if (schema['additionalProperties'] === false) errors.push(`${at}: unexpected ${key}`);
      else if (typeof schema['additionalProperties'] === 'object') errors.push(...validate(schema['additionalProperties'] as Schema, v, `${at}.${key}`));
    }
  }
  if (Array.isArray(value) && schema['items']) value.forEach((v, i) => errors.push(...validate(schema['items'] as Schema, v, `${at}[${i}]`)));
  return errors;
}

const schema = JSON.parse(readFileSync(SUMMARY_SCHEMA_PATH, 'utf8')) as Schema;

describe('summary.json', () => {
  it('the validator used here rejects what the schema forbids', () => {
    expect(validate(schema, {})).toContain('$: missing valid');
    expect(validate(schema['properties'] as Schema, {}).length).toBe(0);
    expect(validate({ type: 'integer' }, 1.5)).toHaveLength(1);
  });

  it('describes an invalid register run and conforms to the schema', async () => {
    const run = await buildRunDir('reg', registerHistory({ ops: 600, concurrency: 3, seed: 5, staleRead: true, faultEveryMs: 30 }), registerCheckers(), { workload: 'register', concurrency: 3, nemesis: ['partition', 'kill'], bug: ['stale-reads'], options: { 'raft.election-ms': '300' } });
    try {
      const summary = writeSummaryJson(run.runDir, await loadRunData(run.runDir));
      const written = JSON.parse(readFileSync(join(run.runDir, 'summary.json'), 'utf8')) as Record<string, unknown>;
      expect(written).toEqual(JSON.parse(JSON.stringify(summary)));
      expect(validate(schema, written)).toEqual([]);
      expect(summary).toMatchObject({ schema: SUMMARY_SCHEMA_ID, name: 'reg', valid: false, verdict: 'invalid', exitCode: 1, seed: 42, workload: 'register', nemesis: ['partition', 'kill'] });
      expect(summary.anomalyTypes).toEqual(['nonlinearizable']);
      expect([summary.bugs, summary.options]).toEqual([['stale-reads'], { 'raft.election-ms': '300' }]);
      expect(summary.anomalyCounts).toEqual({ nonlinearizable: 1 });
      expect(summary.ops.ok + summary.ops.fail + summary.ops.info + summary.ops.incomplete).toBe(600);
      expect(summary.ops.events).toBe(run.history.length);
      expect(summary.faults.map((f) => f.kind).sort()).toEqual(['kill', 'partition']);
      expect(summary.replay).toContain('--seed 42');
      expect(summary.checkers.find((c) => c.name === 'linearizable')).toMatchObject({ valid: false, anomalyTypes: ['nonlinearizable'], anomalyCounts: { nonlinearizable: 1 } });
      // Latency quantiles against a plain nearest-rank computation over the history's ok ops.
      const partner = completionIndex(run.history);
      for (const f of ['read', 'write']) {
        const lat = run.history
          .filter((op, i) => op.type === 'invoke' && op.f === f && op.process !== 'nemesis' && partner[i]! >= 0 && run.history[partner[i]!]!.type === 'ok')
          .map((op) => (run.history[partner[op.index]!]!.time - op.time) / 1e6)
          .sort((a, b) => a - b);
        const rank = (p: number): number => lat[Math.ceil(p * lat.length) - 1]!;
        expect(summary.latencyMs[f]!.count).toBe(lat.length);
        for (const [q, p] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99], ['max', 1]] as const) expect(summary.latencyMs[f]![q]).toBeCloseTo(rank(p), 3);
      }
      expect(summary.faultSchedule.map((w) => w.kind)).toEqual(faultWindows(run.history).map((w) => w.kind));
      expect(summary.faultSchedule[0]!.target).toBe('n1 ↛ n2,n3; n2 ↛ n1; n3 ↛ n1');
    } finally {
      removeRun(run);
    }
  });

  it('reports the consistency models a transactional checker rules out', async () => {
    const run = await buildRunDir('append', g1cHistory(), listAppendCheckers(), { workload: 'list-append', concurrency: 3, nemesis: [] });
    try {
      const summary = buildSummary(analyzeRun(run));
      const la = (run.results['checkers'] as Record<string, Record<string, unknown>>)['list-append']!;
      expect(summary.models).toEqual({ not: la['not'], alsoNot: la['alsoNot'], possible: la['possible'] });
      expect(validate(schema, JSON.parse(JSON.stringify(summary)))).toEqual([]);
    } finally {
      removeRun(run);
    }
  });

  it('describes a run that was never checked as unknown', () => {
    const summary = buildSummary(analyzeRun({ name: 'x', test: {}, results: { valid: 'unknown', error: 'no results.json' }, history: [] }));
    expect(summary).toMatchObject({ valid: 'unknown', verdict: 'unknown', exitCode: 2, seed: null, workload: null, durationS: 0, bugs: [], options: {}, latencyMs: {}, faultSchedule: [] });
    expect(validate(schema, JSON.parse(JSON.stringify(summary)))).toEqual([]);
  });
});
