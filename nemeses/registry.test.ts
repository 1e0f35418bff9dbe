// The nemesis package builder: bad input is refused up front with one-line usage errors (unknown
// nemesis, targets naming missing nodes, clock against a DB that ignores faked clocks, kill
// without restart, no cluster); the generator alternates start/stop per package roughly once per
// interval, seeded; the final generator heals every package; combined dispatches by f.
import { describe, expect, it } from 'vitest';
import type { DB } from '../src/core/db.ts';
import type { TestInfo } from '../src/core/context.ts';
import type { Topology } from '../src/core/topology.ts';
import { UsageError } from '../src/core/errors.ts';
import type { Nemesis } from '../src/core/nemesis.ts';
import { nemesis as onNemesis, simulate } from '../src/generator/index.ts';
import { CombinedNemesis } from './combined.ts';
import { runContext } from '../src/runner/context.ts';
import { BUILTIN_NEMESES, makeNemesisPackage } from './registry.ts';
import { loadTopology } from '../src/topology/load.ts';

const nodes = ['n1', 'n2', 'n3', 'n4', 'n5'];
const db: DB = { name: 'fake', setup: async () => {}, teardown: async () => {}, kill: async () => {}, start: async () => {}, honoursFakeClock: true };

describe('makeNemesisPackage: refusals before anything is set up', () => {
  it('unknown nemesis', () => {
    expect(() => makeNemesisPackage(['partition', 'chaos'], { nodes, db })).toThrow(UsageError);
    expect(() => makeNemesisPackage(['partition', 'chaos'], { nodes, db })).toThrow(/unknown nemesis "chaos" \(available: partition, kill, pause, clock, packet, power-loss, disk-errors, slow-disk, full-disk, bitflip, rebalance, membership\)/);
  });

  it('a target naming a missing node', () => {
    expect(() => makeNemesisPackage(['kill'], { nodes, db, targets: 'n1,n9' })).toThrow(/node "n9" does not exist/);
  });

  it('clock against a DB whose processes ignore a faked clock', () => {
    expect(() => makeNemesisPackage(['clock'], { nodes, db: { ...db, name: 'etcd', honoursFakeClock: false } })).toThrow(/etcd ignores a faked wall clock/);
    expect(() => makeNemesisPackage(['clock'], { nodes, db: null })).toThrow(/no DB process/);
  });

  it('kill against a DB that cannot restart', () => {
    const { kill: _k, start: _s, ...noKill } = db;
    expect(() => makeNemesisPackage(['kill'], { nodes, db: noKill })).toThrow(/cannot kill and restart/);
  });

  it('partition by primaries without a DB that reports them', () => {
    expect(() => makeNemesisPackage(['partition'], { nodes, db, options: { partition: { shapes: ['primaries'] } } })).toThrow(/primaries/);
  });

  it('region shapes without a topology of two regions or more, and regions it does not have', async () => {
    expect(() => makeNemesisPackage(['partition'], { nodes, db, options: { partition: { shapes: ['region'] } } })).toThrow(/shape region needs --topology with two regions or more/);
    const single = { name: 't', nodes, concurrency: 1, timeLimitS: 1, opTimeoutMs: 1000, seed: 1, options: {}, topology: await loadTopology('single-region', nodes) };
    expect(() => makeNemesisPackage(['partition'], { nodes, db, test: single, options: { partition: { shapes: ['wan-split'] } } })).toThrow(/\(single-region has one\)/);
    const three = { ...single, topology: await loadTopology('three-regions', nodes) };
    expect(() => makeNemesisPackage(['partition'], { nodes, db, test: three, options: { partition: { regions: ['mars'] } } })).toThrow(/has no region "mars" \(regions: us-east, us-central, eu-west\)/);
    expect(() => makeNemesisPackage(['partition'], { nodes, db, options: { partition: { regions: ['us-east'] } } })).toThrow(/partition.regions needs --topology/);
  });

  it('faults without a cluster provider', () => {
    expect(() => makeNemesisPackage(['partition'], { nodes, db, inProcess: true })).toThrow(/no cluster/);
  });

  it('no names, no package', () => {
    expect(makeNemesisPackage([], { nodes, db })).toBeNull();
  });
});

describe('makeNemesisPackage: schedules', () => {
  it('with fixed spacing, every fault and every heal lasts exactly one interval', () => {
    const pkg = makeNemesisPackage(['partition'], { nodes, db, intervalS: 5, seed: 1, spacing: 'fixed' })!;
    const h = simulate(onNemesis(pkg.generator!), { maxInvocations: 20, seed: 3 }).filter((o) => o.type === 'invoke');
    expect(h.map((o) => o.time)).toEqual(h.map((_, i) => (i + 1) * 5e9));
    expect(h.map((o) => o.f)).toEqual(h.map((_, i) => (i % 2 === 0 ? 'start-partition' : 'stop-partition')));
  });

  it('alternates start and stop per package, about one op per interval, the first after one interval', () => {
    const pkg = makeNemesisPackage(['partition', 'kill'], { nodes, db, intervalS: 5, seed: 1 })!;
    expect(pkg.styles.map((s) => [s.name, s.start[0], s.stop[0]])).toEqual([
      ['partition', 'start-partition', 'stop-partition'],
      ['kill', 'start-kill', 'stop-kill'],
    ]);
    expect(pkg.nemesis.fs).toEqual(['start-partition', 'stop-partition', 'start-kill', 'stop-kill']);
    const h = simulate(onNemesis(pkg.generator!), { maxInvocations: 400, seed: 3 }).filter((o) => o.type === 'invoke');
    expect(h.length).toBe(400);
    expect(h.every((o) => o.process === 'nemesis')).toBe(true);
    expect(h[0]!.time).toBeGreaterThanOrEqual(5e9);
    for (const kind of ['partition', 'kill']) {
      const fs = h.filter((o) => o.f.endsWith(`-${kind}`)).map((o) => o.f);
      expect(fs.length).toBeGreaterThan(100);
      fs.forEach((f, i) => expect(f).toBe(i % 2 === 0 ? `start-${kind}` : `stop-${kind}`));
    }
    const span = (h[h.length - 1]!.time - h[0]!.time) / 1e9;
    // Two packages, each about one op per 5 s.
    expect(400 / span).toBeGreaterThan(0.3);
    expect(400 / span).toBeLessThan(0.5);
    const shapes = new Set(h.filter((o) => o.f === 'start-partition').map((o) => (o.value as { shape: string }).shape));
    expect(shapes.size).toBeGreaterThan(3);
  });

  it('draws the region shapes only when the test has a topology of two regions or more', async () => {
    const drawn = (test?: TestInfo) =>
      new Set(
        simulate(onNemesis(makeNemesisPackage(['partition'], { nodes, db, seed: 1, ...(test ? { test } : {}) })!.generator!), { maxInvocations: 400, seed: 3 })
          .filter((o) => o.type === 'invoke' && o.f === 'start-partition')
          .map((o) => (o.value as { shape: string }).shape),
      );
    const info = (topology: Topology): TestInfo => ({ name: 't', nodes, concurrency: 1, timeLimitS: 1, opTimeoutMs: 1000, seed: 1, options: {}, topology });
    expect([...drawn()].filter((s) => s === 'region' || s === 'wan-split')).toEqual([]);
    expect([...drawn(info(await loadTopology('single-region', nodes)))].filter((s) => s === 'region' || s === 'wan-split')).toEqual([]);
    const withRegions = drawn(info(await loadTopology('three-regions', nodes)));
    expect(withRegions.has('region') && withRegions.has('wan-split')).toBe(true);
  });

  it('clock jumps go the chosen direction and stay within the largest delta', () => {
    const deltas = (o: { direction?: 'back' | 'forward' | 'both'; 'max-delta-ms'?: number; 'min-delta-ms'?: number }) =>
      simulate(onNemesis(makeNemesisPackage(['clock'], { nodes, db, seed: 1, options: { clock: o } })!.generator!), { maxInvocations: 200, seed: 3 })
        .filter((op) => op.type === 'invoke' && op.f === 'start-clock')
        .map((op) => (op.value as { deltaMs: number }).deltaMs);
    const back = deltas({ direction: 'back', 'max-delta-ms': 4096, 'min-delta-ms': 1000 });
    expect(back.length).toBeGreaterThan(50);
    expect(back.every((d) => d < 0 && d >= -4096 && d <= -1024)).toBe(true);
    expect(new Set(back)).toEqual(new Set([-1024, -2048, -4096]));
    expect(() => deltas({ 'min-delta-ms': 5000, 'max-delta-ms': 1000 })).toThrow(/smallest jump \(5000 ms\) exceeds the largest/);
    expect(() => deltas({ direction: 'sideways' as 'back' })).toThrow(/expected back \| forward \| both/);
    expect(deltas({ direction: 'forward' }).every((d) => d > 0)).toBe(true);
    const both = deltas({});
    expect(both.some((d) => d < 0) && both.some((d) => d > 0)).toBe(true);
  });

  it('is deterministic for a seed', () => {
    const run = (seed: number) => simulate(onNemesis(makeNemesisPackage(['partition', 'packet', 'clock'], { nodes, db, seed: 1 })!.generator!), { maxInvocations: 50, seed });
    expect(run(9)).toEqual(run(9));
    expect(run(9)).not.toEqual(run(10));
  });

  it('draws the same faults for a seed whatever the timing; another seed draws others', () => {
    const faults = (seed: number, timing: number) =>
      simulate(onNemesis(makeNemesisPackage(['partition', 'kill', 'packet', 'clock'], { nodes, db, seed })!.generator!), { maxInvocations: 80, seed: timing })
        .filter((o) => o.type === 'invoke' && o.f.startsWith('start-'))
        .map((o) => [o.f, o.value]);
    const byKind = (xs: unknown[][], f: string) => xs.filter((x) => x[0] === f);
    const [a, b] = [faults(1, 3), faults(1, 4)];
    for (const f of ['start-partition', 'start-kill', 'start-packet', 'start-clock']) {
      const n = Math.min(byKind(a, f).length, byKind(b, f).length);
      expect(n).toBeGreaterThan(3);
      expect(byKind(a, f).slice(0, n)).toEqual(byKind(b, f).slice(0, n));
    }
    expect(byKind(faults(2, 3), 'start-partition')).not.toEqual(byKind(a, 'start-partition'));
  });

  it('the final generator stops every package once', () => {
    const pkg = makeNemesisPackage(['partition', 'pause', 'packet'], { nodes, db })!;
    const h = simulate(onNemesis(pkg.finalGenerator!)).filter((o) => o.type === 'invoke');
    expect(h.map((o) => o.f)).toEqual(['stop-partition', 'stop-pause', 'stop-packet']);
  });

  it('a fixed packet behaviour from the packet options', () => {
    const pkg = makeNemesisPackage(['packet'], { nodes, db, seed: 1, options: { packet: { loss: 0.3 } } })!;
    const starts = simulate(onNemesis(pkg.generator!), { maxInvocations: 20, seed: 3 }).filter((o) => o.type === 'invoke' && o.f === 'start-packet');
    expect(starts.length).toBeGreaterThan(3);
    expect(starts.every((o) => (o.value as { loss?: number }).loss === 0.3 && Object.keys(o.value as object).sort().join() === 'loss,targets')).toBe(true);
    expect(() => makeNemesisPackage(['packet'], { nodes, db, options: { packet: { loss: 2 } } })).toThrow(/expected a number in \[0, 1\]/);
  });

  it('every registered nemesis has a description', () => {
    for (const def of BUILTIN_NEMESES) expect(def.description.length, def.name).toBeGreaterThan(20);
  });
});

describe('CombinedNemesis', () => {
  const fake = (name: string, log: string[]): Nemesis => ({
    name,
    fs: [`start-${name}`, `stop-${name}`],
    invoke: async (_run, op) => {
      log.push(`${name}:${op.f}`);
      return { type: 'ok' };
    },
    teardown: async () => {
      log.push(`${name}:teardown`);
      if (name === 'b') throw new Error('b failed');
    },
  });

  it('routes ops by f, fails unknown fs, and tears every part down even when one fails', async () => {
    const log: string[] = [];
    const c = new CombinedNemesis([fake('a', log), fake('b', log), fake('c', log)]);
    const signal = new AbortController().signal;
    const run = runContext({ cluster: { nodes: [], remote: () => { throw new Error('no remotes'); } } });
    await c.invoke(run, { f: 'stop-b', value: null }, { signal });
    await c.invoke(run, { f: 'start-a', value: null }, { signal });
    expect(await c.invoke(run, { f: 'start-z', value: null }, { signal })).toMatchObject({ type: 'fail' });
    await expect(c.teardown(run)).rejects.toThrow(/b: b failed/);
    expect(log).toEqual(['b:stop-b', 'a:start-a', 'a:teardown', 'b:teardown', 'c:teardown']);
  });
});
