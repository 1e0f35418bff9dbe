// Every workload end to end through the real runner against its in-process store: the correct
// store passes, and each deliberate flaw is caught with the violation kind it should cause.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestSpec } from '../src/core/test.ts';
import { planTest } from '../src/runner/plan.ts';
import { runTest } from '../src/runner/run-test.ts';
import { SILENT } from '../src/runner/context.ts';
import { testSpec } from '../src/runner/spec.ts';

const resultsDir = mkdtempSync(join(tmpdir(), 'fl-inproc-'));

function options(db: string, workload: string, bug: string[], extra: Record<string, string> = {}, timeLimitS = 3): TestSpec {
  return testSpec({
    name: `${db}-${workload}-${bug.join('-') || 'correct'}`.replace(/[^\w.-]+/g, '-'),
    db, workload, timeLimitS, rate: 1000, opTimeoutMs: 2000, recoveryS: 0.5, seed: 5, bug, resultsDir, checkerTimeS: 60, options: extra,
  });
}

async function verdict(o: TestSpec): Promise<{ valid: unknown; anomalyTypes: string[] }> {
  const test = await planTest(o, { log: SILENT, install: false });
  const outcome = await runTest(test, { log: SILENT });
  return { valid: outcome.valid, anomalyTypes: (outcome.results['anomalyTypes'] as string[] | undefined) ?? [] };
}

// A case may ask for a longer run when its anomaly needs a rare interleaving (on a loaded
// machine a 3 s run holds fewer ops).
const CASES: [db: string, workload: string, bug: string | null, expected: string | null, opts?: Record<string, string>, seconds?: number][] = [
  ['inprocess:set', 'set', null, null],
  ['inprocess:set', 'set', 'lossy', 'lost'],
  ['inprocess:set', 'set', 'duplicates', 'duplicated'],
  ['inprocess:set', 'set', 'stale-reads', 'stale', { 'set.linearizable': 'true' }],
  ['inprocess:counter', 'counter', null, null],
  ['inprocess:counter', 'counter', 'lost-increments', 'read-too-low'],
  ['inprocess:counter', 'counter', 'double-apply', 'read-too-high'],
  ['inprocess:bank', 'bank', null, null],
  ['inprocess:bank', 'bank', 'torn-transfers', 'wrong-total'],
  ['inprocess:bank', 'bank', 'overdraft', 'negative-value'],
  ['inprocess:queue', 'queue', null, null],
  ['inprocess:queue', 'queue', 'lossy', 'lost'],
  ['inprocess:queue', 'queue', 'redeliver', 'duplicated', { 'queue.delivery': 'exactly-once' }],
  ['inprocess:unique-ids', 'unique-ids', null, null],
  ['inprocess:unique-ids', 'unique-ids', 'node-local-counter', 'duplicated'],
  ['inprocess:kv', 'session', null, null],
  ['inprocess:kv', 'session', 'async-replicas', 'read-your-writes'],
  ['inprocess:kv', 'causal', null, null],
  ['inprocess:kv', 'causal', 'async-replicas', 'causal-reverse'],
  ['inprocess:long-fork', 'long-fork', null, null],
  ['inprocess:long-fork', 'long-fork', 'parallel-snapshots', 'long-fork', {}, 10],
  ['inprocess:atom', 'register', null, null],
  ['inprocess:stale-atom', 'register', null, 'nonlinearizable'],
];

describe('workloads against in-process stores', () => {
  it.each(CASES)('%s %s --bug %s', async (db, workload, bug, expected, opts, seconds) => {
    const r = await verdict(options(db, workload, bug ? [bug] : [], opts, seconds));
    if (expected === null) {
      expect(r).toEqual({ valid: true, anomalyTypes: [] });
    } else {
      expect(r.valid).toBe(false);
      expect(r.anomalyTypes).toContain(expected);
    }
  });
});
