// Whole runs through the runner (planTest + runTest) against etcd on 5 local nodes: the register
// workload under partitions and kills is linearizable; with serializable reads under
// partitions, the minority's stale reads make it non-linearizable.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestSpec } from '../../src/core/test.ts';
import { runLeftovers } from '../../src/providers/local/cleanup.ts';
import { SILENT } from '../../src/runner/context.ts';
import { planNamed } from '../plan-helpers.ts';
import { runTest } from '../../src/runner/run-test.ts';
import { SKIP_REASON } from './helpers.ts';

const PREFIX = 'fler';
const resultsDir = mkdtempSync(path.join(tmpdir(), 'faultline-etcd-runs-'));

function options(name: string, nemesis: string[], extra: Record<string, string>, workload = 'register'): TestSpec {
  return {
    name,
    db: 'etcd',
    workload,
    nemesis,
    nemesisIntervalS: 3,
    provider: 'local',
    nodes: ['n1', 'n2', 'n3', 'n4', 'n5'],
    concurrency: 10,
    timeLimitS: 20,
    rate: 100,
    opTimeoutMs: 2000,
    recoveryS: 2,
    seed: 42,
    bug: [],
    resultsDir,
    checkerTimeS: 120,
    options: { 'local.prefix': PREFIX, 'local.subnet': '10.216.1.0/24', ...extra },
  };
}

async function run(o: TestSpec) {
  const plan = await planNamed(o);
  const t0 = performance.now();
  const out = await runTest(plan, { log: SILENT });
  const checkers = (out.results['checkers'] ?? {}) as Record<string, { valid: unknown }>;
  const verdicts = Object.entries(checkers).map(([name, r]) => `${name}=${String(r.valid)}`);
  const stats = JSON.stringify(checkers['stats']).slice(0, 600);
  console.log(`${o.name}: valid ${String(out.valid)} [${verdicts.join(' ')}] in ${((performance.now() - t0) / 1000).toFixed(1)} s; stats ${stats}; errors ${JSON.stringify(out.errors)}`);
  return { ...out, linearizable: checkers['linearizable']?.valid };
}

describe.skipIf(SKIP_REASON !== undefined)(`etcd runs through the runner (${SKIP_REASON ?? 'root, etcd present'})`, () => {
  afterAll(async () => {
    rmSync(resultsDir, { recursive: true, force: true });
    expect(await runLeftovers(PREFIX)).toEqual([]);
  });

  it('a setup error is reported, the run is not called valid, and nothing is left running', async () => {
    const out = await run({ ...options('etcd-bad-binary', ['partition'], { 'etcd-binary': '/nonexistent/etcd' }), timeLimitS: 5 });
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]).toMatch(/db setup failed on n\d: n\d: etcd binary \/nonexistent\/etcd does not exist or is not executable/);
    expect(out.valid).toBe('unknown');
    expect(await runLeftovers(PREFIX)).toEqual([]);
  }, 120_000);

  it('register under partition and kill for 20 s is linearizable', async () => {
    const out = await run(options('etcd-register', ['partition', 'kill'], {}));
    expect(out.errors, `run errors: ${out.errors.join('; ')}`).toEqual([]);
    expect(out.linearizable).toBe(true);
    expect(out.valid).toBe(true);
  }, 240_000);

  it('list-append through etcd transactions under partition and kill is strict-serializable', async () => {
    const out = await run({ ...options('etcd-list-append', ['partition', 'kill'], { 'consistency-models': 'strict-serializable' }, 'list-append'), timeLimitS: 15 });
    expect(out.errors, `run errors: ${out.errors.join('; ')}`).toEqual([]);
    const checkers = out.results['checkers'] as Record<string, { valid: unknown }>;
    expect(checkers['list-append']?.valid).toBe(true);
    expect(out.valid).toBe(true);
  }, 240_000);

  it('register with serializable reads under partition is found non-linearizable', async () => {
    const out = await run(options('etcd-serializable', ['partition'], { 'serializable-reads': 'true' }));
    expect(out.errors, `run errors: ${out.errors.join('; ')}`).toEqual([]);
    expect(out.linearizable).toBe(false);
    expect(out.valid).toBe(false);
  }, 240_000);
});
