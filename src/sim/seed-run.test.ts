// Whole simulated tests, seed by seed: the same seed gives the same history byte for byte, every
// history is well formed, the correct Raft store passes while each cheap-to-find bug flag fails,
// membership changes and shard moves take simulated time while clients go on,
// and a failing seed shrinks to a smaller case that still fails the same way (fast-check drives
// the seeds; the runs are short so the file takes seconds).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateHistory } from '../history/validate.ts';
import { builtinParts } from '../plugins/registry.ts';
import { SILENT } from '../runner/context.ts';
import { planSim, type SimPlan, type SimSpec } from './plan.ts';
import { historyText } from './run-dir.ts';
import { runSeed } from './seed-run.ts';
import { ddmin, shrinkCase } from './shrink.ts';

function spec(p: Partial<SimSpec> = {}): SimSpec {
  return {
    db: 'reference:raft', workload: 'register', nemesis: ['partition', 'kill', 'pause', 'clock', 'packet'], checkers: [], bug: [],
    nodes: ['n1', 'n2', 'n3', 'n4', 'n5'], concurrency: 5, timeLimitS: 8, rate: 20, opTimeoutMs: 2000, recoveryS: 1,
    options: {}, checkerTimeS: 30, resultsDir: '/nonexistent', ...p,
  };
}

const plan = (p: Partial<SimSpec> = {}): Promise<SimPlan> => planSim(spec(p), builtinParts(), SILENT);

describe('a seed of faultline sim', () => {
  it('property: the same seed gives the same history, byte for byte, and histories are well formed', async () => {
    const p = await plan();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
        const a = await runSeed(p, { seed });
        const b = await runSeed(p, { seed });
        expect(validateHistory(a.history)).toEqual([]);
        expect(historyText(b)).toBe(historyText(a));
        expect(a.history.some((op) => op.process === 'nemesis' || a.environment.nemeses.length === 0)).toBe(true);
      }),
      { numRuns: 6 },
    );
  });

  it('passes the correct store and fails it with stale reads', async () => {
    const correct = await plan();
    const buggy = await plan({ bug: ['stale-reads'] });
    const seeds = [1, 2, 3, 4, 5];
    for (const seed of seeds) expect((await runSeed(correct, { seed })).failed).toBe(false);
    const found = [];
    for (const seed of seeds) found.push((await runSeed(buggy, { seed })).failedCheckers);
    expect(found.flat()).toContain('linearizable');
  });

  it('loses power on the simulated disks: the correct store passes, lazy-fsync fails', async () => {
    const nemesis = ['power-loss', 'partition'];
    const correct = await plan({ nemesis });
    const lazy = await plan({ nemesis, bug: ['lazy-fsync'] });
    const seeds = [1, 2, 3, 4, 5, 6];
    const lost = [];
    for (const seed of seeds) {
      const o = await runSeed(correct, { seed });
      expect(o.failed).toBe(false);
      lost.push(...o.history.filter((op) => op.f === 'start-power-loss' && op.type === 'ok'));
    }
    expect(lost.length).toBeGreaterThan(0);
    const found = [];
    for (const seed of seeds) found.push(...(await runSeed(lazy, { seed })).failedCheckers);
    expect(found.length).toBeGreaterThan(0);
  });

  it('changes Raft membership through the simulated leader: each change takes simulated time while clients go on, and the correct store passes', async () => {
    const p = await plan({ nemesis: ['membership', 'partition', 'kill'], timeLimitS: 12, options: { 'sim.swarm': 'false' } });
    let applied = 0;
    let overlapped = 0;
    for (const seed of [1, 2, 3, 4]) {
      const o = await runSeed(p, { seed });
      expect(o.failedCheckers).toEqual([]);
      expect(validateHistory(o.history)).toEqual([]);
      for (const [i, inv] of o.history.entries()) {
        if (inv.process !== 'nemesis' || inv.type !== 'invoke' || inv.f !== 'start-membership') continue;
        const end = o.history.slice(i + 1).find((op) => op.process === 'nemesis')!;
        if (end.type !== 'ok') continue;
        applied++;
        expect((end.value as { removed: string; members: string[] }).members).not.toContain((end.value as { removed: string }).removed);
        expect(end.time).toBeGreaterThan(inv.time);
        if (o.history.slice(i + 1, end.index).some((op) => op.process !== 'nemesis' && op.type !== 'invoke')) overlapped++;
      }
      expect(historyText(await runSeed(p, { seed }))).toBe(historyText(o));
    }
    expect(applied).toBeGreaterThan(0);
    expect(overlapped).toBeGreaterThan(0);
  });

  it('moves shards through the simulated sharded store: the correct store passes, move-without-fence loses writes', async () => {
    const shards = (bug: string[]) => plan({ db: 'reference:sharded', workload: 'list-append', nemesis: ['rebalance', 'partition'], bug, timeLimitS: 10, options: { 'sim.swarm': 'false' } });
    const correct = await shards([]);
    const moves = [];
    for (const seed of [1, 2, 3]) {
      const o = await runSeed(correct, { seed });
      expect(o.failedCheckers).toEqual([]);
      moves.push(...o.history.filter((op) => op.f === 'start-rebalance' && op.type === 'ok'));
    }
    expect(moves.length).toBeGreaterThan(0);
    const buggy = await shards(['move-without-fence']);
    const found = [];
    for (let seed = 1; seed <= 12 && found.length === 0; seed++) found.push(...(await runSeed(buggy, { seed })).failedCheckers);
    expect(found).toContain('list-append');
  });

  it('refuses what it cannot simulate, and unknown options with the keys that would work', async () => {
    await expect(plan({ db: 'etcd' })).rejects.toThrow(/no node logic the simulator can run.*reference:raft/);
    await expect(plan({ workload: 'bank' })).rejects.toThrow(/store workloads register, list-append, rw-register/);
    await expect(plan({ nemesis: ['./my-nemesis.ts'] })).rejects.toThrow(/Faultline's own fault kinds/);
    await expect(plan({ nemesis: ['disk-errors'] })).rejects.toThrow(/disk-errors.*acts on a fault filesystem/);
    await expect(plan({ db: 'reference:lww', nemesis: ['membership'] })).rejects.toThrow(/membership: db reference:lww's node logic takes no "members" operator command/);
    await expect(plan({ nemesis: ['rebalance'] })).rejects.toThrow(/rebalance: db reference:raft's node logic takes no "rebalance" operator command/);
    await expect(plan({ options: { 'sim.latncy': 'slow' } })).rejects.toThrow(/Did you mean --opt sim.latency/);
    await expect(plan({ options: { 'sim.latency': 'fast' } })).rejects.toThrow(/sim.latency: expected lan \| datacenter/);
  });
});

describe('shrinking', () => {
  it('property: ddmin finds exactly the elements a failure needs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.nat(200), { maxLength: 60 }), fc.nat(), async (items, pick) => {
        const needed = items.filter((_, i) => (pick >> i % 30) & 1);
        let runs = 0;
        const result = await ddmin(items, async (subset) => {
          runs++;
          return needed.every((x) => subset.includes(x));
        });
        expect(result.sort((a, b) => a - b)).toEqual([...needed].sort((a, b) => a - b));
        expect(runs).toBeLessThan(Math.max(4, items.length * items.length));
      }),
      { numRuns: 100 },
    );
  });

  it('shrinks a failing seed to a smaller case that fails the same way and replays the same', async () => {
    const p = await plan({ bug: ['stale-reads'] });
    let failure;
    for (let seed = 1; !failure; seed++) {
      const o = await runSeed(p, { seed });
      if (o.failed) failure = o;
    }
    const shrunk = await shrinkCase(p, failure, { timeBudgetS: 60, log: SILENT });
    const script = shrunk.outcome.script!;
    const before = failure.history.filter((op) => op.type === 'invoke').length;
    expect(script.ops.length + script.faults.length).toBeLessThan(before);
    expect(shrunk.outcome.failedCheckers.some((c) => failure.failedCheckers.includes(c))).toBe(true);
    const again = await runSeed(p, { seed: failure.seed, environment: shrunk.outcome.environment, script });
    expect(historyText(again)).toBe(historyText(shrunk.outcome));
  });
});
