// Tests for the causal-reverse checker: hand-built reversals of each link kind, simulated stores.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HistoryBuilder } from '../../src/inprocess/history-builder.ts';
import { runClients } from '../../src/inprocess/client-histories.ts';
import { keyedSetStore, type KeyedSetFlaw } from '../../src/inprocess/keyed-set-store.ts';
import { causalOp } from '../../workloads/causal/index.ts';
import { causalReverse } from './causal-reverse.ts';

const NODES = ['n1', 'n2', 'n3'];

function run(seed: number, flaw?: KeyedSetFlaw) {
  return runClients({ seed, store: keyedSetStore(flaw), threads: 4, nodes: NODES, switchNodeRate: 0.5, infoRate: 0.05, ops: 400, nextOp: (rng, n) => causalOp(rng, n, { opsPerGroup: 100 }) });
}

type Result = { valid: unknown; anomalyTypes?: string[]; anomalyCounts: Record<string, number>; count: number; byLink: Record<'session' | 'read' | 'time', number>; violations: Array<{ key: string; value: unknown; link: string; ops: Array<{ index: number }>; read: { index: number } }> };
const check = async (b: HistoryBuilder) => (await causalReverse().check(b.build())) as Result;

describe('causalReverse', () => {
  it('accepts reads that see writes in order, and reads concurrent with both writes', async () => {
    const b = new HistoryBuilder().op(0, 'write', ['x', 1]).op(0, 'write', ['y', 2]).op(1, 'read', ['x', 'y'], 'ok', { x: [1], y: [2] });
    b.invoke(2, 'write', ['x', 3]).invoke(3, 'write', ['y', 4]).op(1, 'read', ['x', 'y'], 'ok', { x: [1], y: [2, 4] }).ok(2).ok(3);
    expect(await check(b)).toMatchObject({ valid: true, count: 0 });
  });

  it('session link: a later write of the same client seen without the earlier one', async () => {
    const b = new HistoryBuilder().op(0, 'write', ['x', 1]).op(0, 'write', ['y', 2]).op(1, 'read', ['x', 'y'], 'ok', { x: [], y: [2] });
    const r = await check(b);
    expect(r).toMatchObject({ valid: false, anomalyTypes: ['causal-reverse'], count: 1, byLink: { session: 1, read: 0, time: 0 } });
    expect(r.violations[0]).toMatchObject({ key: 'x', value: 1, link: 'session', ops: [{ index: 0 }, { index: 2 }], read: { index: 5 } });
  });

  it('read link: a write made after reading another, seen without it', async () => {
    const b = new HistoryBuilder()
      .invoke(0, 'write', ['x', 1])
      .op(1, 'read', ['x'], 'ok', { x: [1] })
      .op(1, 'write', ['y', 2])
      .op(2, 'read', ['x', 'y'], 'ok', { x: [], y: [2] })
      .info(0);
    const r = await check(b);
    // Process 1's read (completed at 3) showed write x=1 had taken effect before it wrote y=2.
    expect(r.violations[0]).toMatchObject({ value: 1, link: 'read', knownAt: { index: 2 }, via: { index: 2, process: 1 } });
    expect(r.anomalyCounts).toEqual({ 'causal-reverse': 1 });
  });

  it('time link: an earlier write by someone else, done before the later one began', async () => {
    const b = new HistoryBuilder().op(0, 'write', ['x', 1]).op(1, 'write', ['y', 2]).op(2, 'read', null, 'ok', { x: [], y: [2] });
    const v = (await check(b)).violations[0];
    expect(v).toMatchObject({ link: 'time', knownAt: { index: 1, process: 0 } });
    expect(v).not.toHaveProperty('via');
  });

  it('only checks keys the read covered, and ignores failed writes', async () => {
    const b = new HistoryBuilder().op(0, 'write', ['x', 1]).op(0, 'write', ['z', 3], 'fail').op(0, 'write', ['y', 2]).op(1, 'read', ['y', 'z'], 'ok', { y: [2], z: [] });
    expect((await check(b)).valid).toBe(true);
  });

  it('works on single-key reads too', async () => {
    const b = new HistoryBuilder().op(0, 'write', ['x', 1]).op(0, 'write', ['x', 2]).op(1, 'read', ['x', null], 'ok', ['x', [2]]);
    expect((await check(b)).count).toBe(1);
  });

  it('rejects a malformed multi-key read with the op index', () => {
    const h = new HistoryBuilder().op(0, 'read', ['x', 'y'], 'ok', { x: 1 }).build();
    expect(() => causalReverse().check(h)).toThrow(/op 1: ok read must map each key to an array/);
  });

  it('property: a linearizable store never shows a causal reversal', () => {
    fc.assert(fc.property(fc.integer(), (seed) => causalReverse().check(run(seed)).valid === true), { numRuns: 30 });
  });

  it('end to end: asynchronous replicas reverse causally related writes', async () => {
    for (const seed of [1, 2, 3]) {
      const r = (await causalReverse().check(run(seed, 'async-replicas'))) as Result;
      expect(r.anomalyTypes).toEqual(['causal-reverse']);
      expect(r.byLink.session + r.byLink.read).toBeGreaterThan(0);
    }
  });
});
