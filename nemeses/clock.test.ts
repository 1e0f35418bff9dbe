// The clock nemesis logic against an in-memory ClockControl: a bump adds the delta to the
// targets only; a strobe returns at once and keeps flipping in the background; stop-clock ends
// the strobe, resets every node, and nothing writes an offset after it.
import { describe, expect, it } from 'vitest';
import type { ClockControl, Cluster } from '../src/core/provider.ts';
import { makeRng } from '../src/generator/rng.ts';
import { runContext } from '../src/runner/context.ts';
import { ClockNemesis } from './clock.ts';

function fakeCluster(nodes: string[]): { cluster: Cluster; writes: [string, number][] } {
  const offsets = new Map<string, number>();
  const writes: [string, number][] = [];
  const clock: ClockControl = {
    async setOffset(node, ms) {
      offsets.set(node, ms);
      writes.push([node, ms]);
    },
    offset: (node) => offsets.get(node) ?? 0,
  };
  const cluster: Cluster = {
    nodes: nodes.map((name) => ({ name, address: name })),
    remote: () => {
      throw new Error('no remotes');
    },
    clock,
  };
  return { cluster, writes };
}

const signal = new AbortController().signal;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ClockNemesis', () => {
  const nodes = ['n1', 'n2', 'n3'];
  const make = () => {
    const f = fakeCluster(nodes);
    const run = runContext({ cluster: f.cluster });
    return { ...f, run, nemesis: new ClockNemesis({ nodes, db: null, rng: makeRng(1) }) };
  };

  it('bumps only the targets, cumulatively, and stop-clock resets everyone', async () => {
    const { cluster, nemesis, run } = make();
    await nemesis.invoke(run, { f: 'start-clock', value: { nodes: ['n2'], deltaMs: 500 } }, { signal });
    const c = await nemesis.invoke(run, { f: 'start-clock', value: { nodes: ['n2', 'n3'], deltaMs: -200 } }, { signal });
    expect(c).toMatchObject({ type: 'ok', value: { mode: 'bump', offsets: { n2: 300, n3: -200 } } });
    expect(cluster.clock!.offset('n1')).toBe(0);
    expect((await nemesis.invoke(run, { f: 'stop-clock', value: null }, { signal })).type).toBe('ok');
    expect(nodes.map((n) => cluster.clock!.offset(n))).toEqual([0, 0, 0]);
  });

  it('strobes in the background and stops cleanly', async () => {
    const { cluster, writes, nemesis, run } = make();
    const c = await nemesis.invoke(run, { f: 'start-clock', value: { mode: 'strobe', nodes: ['n1'], deltaMs: 1000, periodMs: 5 } }, { signal });
    expect(c).toMatchObject({ type: 'ok', value: { mode: 'strobe', nodes: ['n1'] } });
    for (let i = 0; i < 200 && writes.length < 4; i++) await sleep(5);
    const seen = writes.filter(([n]) => n === 'n1').map(([, v]) => v);
    expect(seen.slice(0, 4)).toEqual([1000, 0, 1000, 0]);
    await nemesis.invoke(run, { f: 'stop-clock', value: null }, { signal });
    const after = writes.length;
    await sleep(30);
    expect(writes.length).toBe(after);
    expect(cluster.clock!.offset('n1')).toBe(0);
  });

  it('a strobe with a duration ends by itself at the old offset', async () => {
    const { cluster, writes, nemesis, run } = make();
    await nemesis.invoke(run, { f: 'start-clock', value: { nodes: ['n3'], deltaMs: 70 } }, { signal });
    await nemesis.invoke(run, { f: 'start-clock', value: { mode: 'strobe', nodes: ['n3'], deltaMs: 1000, periodMs: 5, durationMs: 20 } }, { signal });
    // Wait until the writes settle: the strobe has ended by itself.
    let prev = -1;
    for (let i = 0; i < 100 && writes.length !== prev; i++) {
      prev = writes.length;
      await sleep(40);
    }
    expect(writes.length).toBe(prev);
    expect(writes.filter(([, v]) => v === 1070).length).toBeGreaterThanOrEqual(1);
    expect(cluster.clock!.offset('n3')).toBe(70);
  });

  it('fails without touching anything when the cluster has no clock control', async () => {
    const run = runContext({ cluster: { nodes: [], remote: () => { throw new Error('x'); } } });
    const nemesis = new ClockNemesis({ nodes, db: null, rng: makeRng(1) });
    expect(await nemesis.invoke(run, { f: 'start-clock', value: { deltaMs: 5 } }, { signal })).toMatchObject({ type: 'fail', error: expect.stringMatching(/no per-node clock/) });
  });
});
