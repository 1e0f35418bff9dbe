// Whole runs through the runner (planTest + runTest) against Consul on 5 local nodes, run only
// where a consul binary is available: the register workload with consistent reads under
// partitions and kills is linearizable; with stale reads under partitions, the minority's old
// values make it non-linearizable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSpec } from '../../src/core/test.ts';
import { runLeftovers } from '../../src/providers/local/cleanup.ts';
import { SILENT } from '../../src/runner/context.ts';
import { planNamed } from '../plan-helpers.ts';
import { runTest } from '../../src/runner/run-test.ts';
import { CONSUL_SOURCE, SKIP_REASON } from './helpers.ts';

const PREFIX = 'flcn';
let resultsDir = '';

function options(name: string, nemesis: string[], readMode: string): TestSpec {
  return {
    name,
    db: 'consul',
    workload: 'register',
    nemesis,
    nemesisIntervalS: 3,
    provider: 'local',
    nodes: ['n1', 'n2', 'n3', 'n4', 'n5'],
    concurrency: 10,
    timeLimitS: 15,
    rate: 100,
    opTimeoutMs: 3000,
    recoveryS: 3,
    seed: 42,
    bug: [],
    resultsDir,
    checkerTimeS: 120,
    options: { 'local.prefix': PREFIX, 'local.subnet': '10.218.2.0/24', 'consul.read-mode': readMode, 'consul.install-dir': path.join(resultsDir, 'install') },
  };
}

async function run(o: TestSpec) {
  const plan = await planNamed(o);
  const t0 = performance.now();
  const out = await runTest(plan, { log: SILENT });
  const checkers = (out.results['checkers'] ?? {}) as Record<string, { valid: unknown }>;
  const verdicts = Object.entries(checkers).map(([name, r]) => `${name}=${String(r.valid)}`);
  console.log(`${o.name}: valid ${String(out.valid)} [${verdicts.join(' ')}] in ${((performance.now() - t0) / 1000).toFixed(1)} s; errors ${JSON.stringify(out.errors)}`);
  return { ...out, linearizable: checkers['linearizable']?.valid };
}

describe.skipIf(SKIP_REASON !== undefined)(`consul runs through the runner (${SKIP_REASON ?? `consul from ${CONSUL_SOURCE}`})`, () => {
  beforeAll(() => {
    resultsDir = mkdtempSync(path.join(tmpdir(), 'faultline-consul-runs-'));
  });

  afterAll(async () => {
    rmSync(resultsDir, { recursive: true, force: true });
    expect(await runLeftovers(PREFIX)).toEqual([]);
  });

  it('register with consistent reads under partition and kill is linearizable', async () => {
    const out = await run(options('consul-consistent', ['partition', 'kill'], 'consistent'));
    expect(out.errors, `run errors: ${out.errors.join('; ')}`).toEqual([]);
    expect(out.linearizable).toBe(true);
    expect(out.valid).toBe(true);
  }, 180_000);

  it('register with stale reads under partition is found non-linearizable', async () => {
    const out = await run(options('consul-stale', ['partition'], 'stale'));
    expect(out.errors, `run errors: ${out.errors.join('; ')}`).toEqual([]);
    expect(out.linearizable).toBe(false);
    expect(out.valid).toBe(false);
  }, 180_000);
});
