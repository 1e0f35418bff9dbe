// Checking while the run goes, end to end through the real runner on in-process stores (no root):
// --fail-fast stops a run against a flawed store at the first definite violation with end reason
// violation-found and an INVALID verdict from the recorded history; --check-online on a correct
// store ends VALID; on many seeds (register, counter and set runs) the online verdicts agree
// with the check of the recorded history; contradictory settings are refused up front.
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../src/core/validity.ts';
import { SILENT } from '../src/runner/context.ts';
import { defineTest } from '../src/runner/define-test.ts';
import type { OnlineRecord } from '../src/runner/online-check.ts';
import { planTest } from '../src/runner/plan.ts';
import { runTest } from '../src/runner/run-test.ts';
import { testSpec } from '../src/runner/spec.ts';
import { inProcessClients } from '../src/inprocess/inprocess-clients.ts';
import { registerStore } from '../src/inprocess/register-store.ts';
import { repeat } from '../src/generator/index.ts';
import { stats } from '../checkers/stats.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'faultline.js');
const cli = (args: string[]) => execa('node', [BIN, ...args], { reject: false, timeout: 120_000 });
const resultsDir = mkdtempSync(join(tmpdir(), 'fl-online-'));
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

describe('faultline test --fail-fast', () => {
  it('stops a run against the stale register at the first definite violation and checks the recorded history INVALID', async () => {
    const r = await cli(['test', '--db', 'inprocess:stale-atom', '--nemesis', 'none', '--time-limit', '120', '--rate', '300', '--recovery', '0', '--results-dir', resultsDir, '--seed', '11', '--fail-fast', '--json']);
    expect(r.exitCode).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.outcome).toBe('invalid');
    expect(doc.end.reason).toBe('violation-found');
    // Stale-reads checks op by op too and may find the same stale read at the same op.
    const FOUND = /(linearizable|stale-reads)(, (linearizable|stale-reads))? found a violation at op \d+/;
    expect(doc.end.detail).toMatch(FOUND);
    expect(doc.checkers.linearizable.valid).toBe(false);
    const online = doc.online as OnlineRecord;
    expect(online.verdicts['linearizable']).toBe(false);
    expect(online.agrees).toBe(true);
    expect(online.firstViolation!.op).toBeLessThan(doc.historyEvents);
    // The whole 120 s at 300 ops/s would be 36,000 invocations.
    expect(doc.historyEvents).toBeLessThan(36_000);
    const test = JSON.parse(readFileSync(join(doc.runDir, 'test.json'), 'utf8'));
    expect(test).toMatchObject({ outcome: 'invalid', end: { reason: 'violation-found' } });
    expect(test.replay).toContain('--fail-fast');
    expect(readFileSync(join(doc.runDir, 'harness.log'), 'utf8')).toMatch(new RegExp(`the first definite violation ended the run \\(--fail-fast\\): ${FOUND.source}`));
    expect(readFileSync(join(doc.runDir, 'report.html'), 'utf8')).toMatch(/<strong>Stopped early:<\/strong>/);

    // Checking the run again keeps what the online check found, compared with the new results,
    // and what else only the run could record (how late its controller ran, its errors).
    const again = await cli(['report', doc.runDir, '--json']);
    expect(again.exitCode).toBe(1);
    const rechecked = JSON.parse(again.stdout);
    expect(rechecked).toMatchObject({ outcome: 'invalid', end: { reason: 'violation-found', detail: doc.end.detail } });
    expect(rechecked.online).toEqual(online);
    expect(doc.harness).toBeDefined();
    expect(rechecked.harness).toEqual(doc.harness);
    expect(rechecked.runErrors).toEqual(doc.runErrors);
    expect(JSON.parse(readFileSync(join(doc.runDir, 'results.json'), 'utf8')).online).toEqual(online);
    expect(readFileSync(join(doc.runDir, 'report.html'), 'utf8')).toMatch(/<strong>Stopped early:<\/strong>/);
  });

  it('is refused with --no-check-online, before anything runs', async () => {
    const r = await cli(['test', '--db', 'inprocess:atom', '--nemesis', 'none', '--fail-fast', '--no-check-online', '--results-dir', resultsDir]);
    expect(r.exitCode).toBe(254);
    expect(r.stderr).toMatch(/--fail-fast .* cannot go with --no-check-online/);
    expect(r.stdout).toBe('');
  });
});

describe('faultline test --check-online', () => {
  it('checks a correct register as the run goes and ends VALID, the online verdict agreeing', async () => {
    const r = await cli(['test', '--db', 'inprocess:atom', '--nemesis', 'none', '--time-limit', '2', '--rate', '500', '--recovery', '0', '--results-dir', resultsDir, '--seed', '7', '--check-online', '--json']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ valid: true, outcome: 'valid', end: { reason: 'completed' } });
    expect(doc.online).toMatchObject({ verdicts: { linearizable: true }, firstViolation: null, agrees: true });
    expect(doc.online.waited).toContain('stats');
  });
});

describe('online verdicts against the check of the recorded history', () => {
  const cases: [db: string, workload: string, bug: string[], flawed: boolean][] = [
    ['inprocess:atom', 'register', [], false],
    ['inprocess:stale-atom', 'register', [], true],
    ['inprocess:counter', 'counter', [], false],
    ['inprocess:counter', 'counter', ['lost-increments'], true],
    ['inprocess:set', 'set', [], false],
    ['inprocess:set', 'set', ['duplicates'], true],
  ];
  it.each(cases)('%s %s %j: the same verdicts on many seeds, with and without fail-fast', async (db, workload, bug, flawed) => {
    let stoppedEarly = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const failFast = seed % 2 === 0;
      const spec = testSpec({ db, workload, bug, provider: 'none', timeLimitS: 1, rate: 1000, recoveryS: 0, seed, resultsDir, checkOnline: true, failFast });
      const outcome = await runTest(await planTest(spec, { log: SILENT, install: false }), { log: SILENT });
      const online = outcome.results['online'] as OnlineRecord;
      const recorded = outcome.results['checkers'] as Record<string, CheckResult>;
      expect(online.checked.length).toBeGreaterThan(0);
      for (const name of online.checked) expect(online.verdicts[name], `${name}, seed ${seed}`).toBe(recorded[name]!.valid);
      expect(online.agrees).toBe(true);
      if (!flawed) expect(outcome.outcome, `seed ${seed}`).toBe('valid');
      if (failFast && online.firstViolation) expect(outcome.end.reason).toBe('violation-found');
      if (outcome.end.reason === 'violation-found') {
        expect(outcome.outcome).toBe('invalid');
        stoppedEarly++;
      }
    }
    expect(stoppedEarly > 0).toBe(flawed);
  });
});

describe('the library API', () => {
  it('refuses failFast with checkOnline: false', async () => {
    const workload = { name: 'reads', generator: repeat({ f: 'read', value: null }), finalGenerator: null, checker: stats() };
    const test = defineTest({ name: 'contradiction', client: inProcessClients(registerStore(), { seed: 1, nodes: ['n1'] }), workload, failFast: true, checkOnline: false, resultsDir });
    await expect(runTest(test, { log: SILENT })).rejects.toThrow(/failFast .* cannot go with checkOnline: false/);
  });
});
