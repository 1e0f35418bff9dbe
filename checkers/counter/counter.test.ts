// Tests for the counter checker: bounds from ok / info / failed adds, and simulated stores.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HistoryBuilder } from '../../src/inprocess/history-builder.ts';
import { runClients } from '../../src/inprocess/client-histories.ts';
import { counterStore, type CounterFlaw } from '../../src/inprocess/counter-store.ts';
import { counterFinalOps, counterOp } from '../../workloads/counter/index.ts';
import { counter } from './counter.ts';

function run(seed: number, pn: boolean, flaw?: CounterFlaw) {
  return runClients({ seed, store: counterStore(flaw), threads: 5, nodes: ['n1'], infoRate: 0.1, ops: 300, nextOp: (rng) => counterOp(rng, { pn }), final: counterFinalOps });
}

describe('counter', () => {
  it('bounds a read by adds that must and may have happened', async () => {
    const b = new HistoryBuilder();
    b.op(0, 'add', 2); // ok before the reads: must be seen
    b.invoke(1, 'add', 10); // concurrent: may be seen
    b.op(2, 'add', 100, 'fail'); // failed: never seen
    b.op(3, 'read', null, 'ok', 2).op(3, 'read', null, 'ok', 12);
    b.info(1);
    const r = await counter().check(b.build());
    expect(r).toMatchObject({ valid: true, reads: 2, errorCount: 0, final: { value: 12, lower: 2, upper: 12 } });
  });

  it('reports reads too low and too high with their range', async () => {
    const b = new HistoryBuilder().op(0, 'add', 3).op(0, 'add', -1, 'info');
    b.op(1, 'read', null, 'ok', 1).op(1, 'read', null, 'ok', 4);
    const r = await counter().check(b.build());
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['read-too-high', 'read-too-low']);
    expect(r.errors).toEqual([
      { kind: 'read-too-low', index: 5, invokeIndex: 4, value: 1, lower: 2, upper: 3 },
      { kind: 'read-too-high', index: 7, invokeIndex: 6, value: 4, lower: 2, upper: 3 },
    ]);
  });

  it('counts every error by kind, beyond the examples it keeps', async () => {
    const b = new HistoryBuilder().op(0, 'add', 1);
    for (let i = 0; i < 120; i++) b.op(1, 'read', null, 'ok', -5);
    b.op(1, 'read', null, 'ok', 50);
    const r = await counter().check(b.build());
    expect(r['errors']).toHaveLength(100);
    expect(r['anomalyCounts']).toEqual({ 'read-too-low': 120, 'read-too-high': 1 });
    expect(r.anomalyTypes).toEqual(['read-too-high', 'read-too-low']);
  });

  it('uses the initial value and says unknown without reads', async () => {
    const h = new HistoryBuilder().op(0, 'add', 1).op(0, 'read', null, 'ok', 11).build();
    expect((await counter({ initial: 10 }).check(h)).valid).toBe(true);
    expect((await counter().check(h)).valid).toBe(false);
    expect((await counter().check(h.slice(0, 2))).valid).toBe('unknown');
  });

  it('rejects a non-numeric add, naming the op', () => {
    const h = new HistoryBuilder().op(0, 'add', 'x').build();
    expect(() => counter().check(h)).toThrow(/op 0: add must have a finite number/);
  });

  it('property: a correct G- or PN-counter always passes', () => {
    fc.assert(fc.property(fc.integer(), fc.boolean(), (seed, pn) => counter().check(run(seed, pn)).valid === true), { numRuns: 40 });
  });

  it('end to end: lost increments read too low, double applies read too high', async () => {
    for (const seed of [1, 2, 3]) {
      expect((await counter().check(run(seed, false, 'lost-increments'))).anomalyTypes).toContain('read-too-low');
      expect((await counter().check(run(seed, false, 'double-apply'))).anomalyTypes).toContain('read-too-high');
    }
  });
});
