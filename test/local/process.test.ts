// Process and clock faults on a real local cluster, through the DB protocol: kill hits exactly
// the target's process and restart brings it back; pause freezes only the target (cgroup
// freezer) and resume thaws it; a Node process under the clock nemesis sees the offset while
// its neighbours keep real time; clock against a DB that ignores faked clocks is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeContext, type RunContext } from '../../src/core/context.ts';
import { runContext } from '../../src/runner/context.ts';
import { UsageError } from '../../src/core/errors.ts';
import type { Cluster } from '../../src/core/provider.ts';
import { isLive } from '../../src/control/proc.ts';
import { makeRng } from '../../src/generator/rng.ts';
import { runLeftovers } from '../../src/providers/local/cleanup.ts';
import { hasLibfaketime } from '../../src/providers/local/clock.ts';
import { localProvider } from '../../src/providers/local/provider.ts';
import { ClockNemesis } from '../../nemeses/clock.ts';
import { makeNemesisPackage } from '../../nemeses/registry.ts';
import { ProcessNemesis } from '../../nemeses/process.ts';
import { IS_ROOT, SKIP_REASON, ask, probeDb } from './helpers.ts';

const PREFIX = 'flpr';
const WORK = `/tmp/faultline-${PREFIX}`;
const signal = new AbortController().signal;
const HAS_FAKETIME = IS_ROOT && (await hasLibfaketime());

describe.skipIf(!IS_ROOT)(`process and clock faults on a local cluster (${IS_ROOT ? 'root' : SKIP_REASON})`, () => {
  const provider = localProvider({ prefix: PREFIX, subnet: '10.213.13.0/24', nodes: 3, workDir: WORK });
  let cluster: Cluster;
  const db = probeDb(`${WORK}/logs`);
  const dbContext = (): RunContext => runContext({ cluster, db, runDir: WORK });
  const ctx = () => ({ nodes: ['n1', 'n2', 'n3'], db, rng: makeRng(11) });

  beforeAll(async () => {
    cluster = await provider.up();
    await Promise.all(cluster.nodes.map((n) => db.setup(nodeContext(dbContext(), n))));
  });

  afterAll(async () => {
    await provider.down();
    expect(await runLeftovers(PREFIX)).toEqual([]);
  });

  it('kill SIGKILLs only the target and restart brings it back', async () => {
    const nemesis = new ProcessNemesis('kill', ctx());
    const before = new Map(db.pids);
    const c = await nemesis.invoke(dbContext(), { f: 'start-kill', value: { nodes: ['n2'] } }, { signal });
    expect(c).toMatchObject({ type: 'ok', value: { nodes: ['n2'] } });
    expect(await isLive(before.get('n2')!)).toBe(false);
    expect(await isLive(before.get('n1')!)).toBe(true);
    expect(await isLive(before.get('n3')!)).toBe(true);
    expect(await ask(cluster.nodes[1]!.address, 300)).toBeUndefined();
    const s = await nemesis.invoke(dbContext(), { f: 'stop-kill', value: null }, { signal });
    expect(s).toMatchObject({ type: 'ok', value: { nodes: ['n2'] } });
    expect(db.pids.get('n2')).not.toBe(before.get('n2'));
    expect(await ask(cluster.nodes[1]!.address)).toBeDefined();
  });

  it('pause freezes only the target through the node cgroup, resume thaws it', async () => {
    const nemesis = new ProcessNemesis('pause', ctx());
    const c = await nemesis.invoke(dbContext(), { f: 'start-pause', value: { nodes: ['n3'] } }, { signal });
    expect(c.type).toBe('ok');
    expect(await cluster.nodeControl!.pids('n3')).toContain(db.pids.get('n3'));
    expect(await ask(cluster.nodes[2]!.address, 1000)).toBeUndefined();
    expect(await ask(cluster.nodes[0]!.address)).toBeDefined();
    expect(await isLive(db.pids.get('n3')!)).toBe(true);
    expect((await nemesis.invoke(dbContext(), { f: 'stop-pause', value: null }, { signal })).type).toBe('ok');
    expect(await ask(cluster.nodes[2]!.address)).toBeDefined();
  });

  it.skipIf(!HAS_FAKETIME)('a Node process under the clock nemesis sees the offset; others keep real time', async () => {
    const nemesis = new ClockNemesis(ctx());
    const skew = async (i: number) => (await ask(cluster.nodes[i]!.address))!.now - Date.now();
    expect(Math.abs(await skew(0))).toBeLessThan(500);
    const c = await nemesis.invoke(dbContext(), { f: 'start-clock', value: { mode: 'bump', nodes: ['n1'], deltaMs: 60_000 } }, { signal });
    expect(c.type).toBe('ok');
    try {
      // libfaketime re-reads the offset file at most once a second.
      let seen = 0;
      for (let i = 0; i < 40 && Math.abs(seen - 60_000) > 500; i++) {
        await new Promise((r) => setTimeout(r, 100));
        seen = await skew(0);
      }
      expect(Math.abs(seen - 60_000)).toBeLessThan(500);
      expect(Math.abs(await skew(1))).toBeLessThan(500);
    } finally {
      await nemesis.invoke(dbContext(), { f: 'stop-clock', value: null }, { signal });
    }
    let back = 60_000;
    for (let i = 0; i < 40 && Math.abs(back) > 500; i++) {
      await new Promise((r) => setTimeout(r, 100));
      back = await skew(0);
    }
    expect(Math.abs(back)).toBeLessThan(500);
  });

  it('refuses the clock nemesis up front for a DB that ignores faked clocks', () => {
    const goDb = { ...db, name: 'etcd', honoursFakeClock: false };
    const nodes = ['n1', 'n2', 'n3'];
    expect(() => makeNemesisPackage(['clock'], { nodes, db: goDb })).toThrow(UsageError);
    expect(() => makeNemesisPackage(['clock'], { nodes, db: goDb })).toThrow(/etcd ignores a faked wall clock/);
  });
});
