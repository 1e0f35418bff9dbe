// The example node logic (examples/sim-node) in the simulator, as a user would run it: the store
// as written passes every seed tried, and each of its two bug flags is caught.
import { describe, expect, it } from 'vitest';
import { builtinParts } from '../src/plugins/registry.ts';
import { SILENT } from '../src/runner/context.ts';
import { planSim, type SimSpec } from '../src/sim/plan.ts';
import { runSeed } from '../src/sim/seed-run.ts';

const DB = new URL('../examples/sim-node/db.ts', import.meta.url).pathname;

function spec(bug: string[], workload = 'register'): SimSpec {
  return {
    db: DB, workload, nemesis: ['partition', 'kill', 'pause', 'clock', 'packet'], checkers: [], bug,
    nodes: ['n1', 'n2', 'n3'], concurrency: 4, timeLimitS: 6, rate: 20, opTimeoutMs: 2000, recoveryS: 1,
    options: {}, checkerTimeS: 30, resultsDir: '/nonexistent',
  };
}

/** The seeds of 1..n that fail. */
async function failing(s: SimSpec, n: number): Promise<number[]> {
  const plan = await planSim(s, builtinParts(), SILENT);
  const out: number[] = [];
  for (let seed = 1; seed <= n; seed++) if ((await runSeed(plan, { seed })).failed) out.push(seed);
  return out;
}

describe('the example node logic in the simulator', () => {
  it('passes as written, on registers and on lists', async () => {
    expect(await failing(spec([]), 15)).toEqual([]);
    expect(await failing(spec([], 'list-append'), 10)).toEqual([]);
  });

  it.each(['ack-before-fsync', 'backup-reads'])('is caught with --bug %s', async (bug) => {
    expect((await failing(spec([bug]), 15)).length).toBeGreaterThan(0);
  });
});
