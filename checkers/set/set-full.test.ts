// Tests for the set-full checker: element outcomes on hand-built histories and simulated stores.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HistoryBuilder } from '../../src/inprocess/history-builder.ts';
import { runClients } from '../../src/inprocess/client-histories.ts';
import { setStore, type SetFlaw } from '../../src/inprocess/set-store.ts';
import { setFinalOps, setOp } from '../../workloads/set/index.ts';
import { setFull } from './set-full.ts';

const NODES = ['n1', 'n2', 'n3'];

function run(seed: number, keys: number, flaw?: SetFlaw) {
  return runClients({
    seed,
    store: setStore(flaw),
    threads: 4,
    nodes: NODES,
    switchNodeRate: 0.2,
    infoRate: 0.05,
    ops: 300,
    nextOp: (rng, n) => setOp(rng, n, { keys }),
    final: setFinalOps({ keys }),
  });
}

describe('setFull', () => {
  it('accepts elements that every later read sees, with their stable latency', async () => {
    const h = new HistoryBuilder().op(0, 'add', 1).op(0, 'add', 2).wait(8).op(1, 'read', null, 'ok', [2, 1]).build();
    const r = await setFull({ linearizable: true }).check(h);
    expect(r).toMatchObject({ valid: true, attempted: 2, acknowledged: 2, stableCount: 2, lostCount: 0, staleCount: 0 });
    // element 1 invoked at 1 ms, element 2 at 3 ms, the read at 13 ms
    expect(r.stableLatencies).toMatchObject({ count: 2, quantilesMs: { '0.5': 10, '1': 12 } });
  });

  it('reports an element that a later read lost', async () => {
    const h = new HistoryBuilder().op(0, 'add', 'x').op(1, 'read', null, 'ok', ['x']).op(1, 'read', null, 'ok', []).build();
    const r = await setFull().check(h);
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['lost']);
    expect(r.lost).toEqual([{ element: 'x', addIndex: 0, lastSeenIndex: 3, missedFromIndex: 5 }]);
    expect(r.lostLatencies).toMatchObject({ count: 1, quantilesMs: { '1': 4 } });
  });

  it('counts a read that missed an element before it showed as stale (invalid only when linearizable)', async () => {
    const h = new HistoryBuilder().op(0, 'add', 1).op(1, 'read', null, 'ok', []).op(1, 'read', null, 'ok', [1]).build();
    const r = await setFull().check(h);
    expect(r).toMatchObject({ valid: true, staleCount: 1, stableCount: 1, stale: [{ element: 1, addIndex: 0, staleMs: 1, lastMissIndex: 3 }] });
    const strict = await setFull({ linearizable: true }).check(h);
    expect(strict.valid).toBe(false);
    expect(strict.anomalyTypes).toEqual(['stale']);
  });

  it('does not count reads concurrent with the add as misses', async () => {
    const h = new HistoryBuilder().invoke(1, 'read').op(0, 'add', 1).ok(1, []).op(1, 'read', null, 'ok', [1]).build();
    expect(await setFull({ linearizable: true }).check(h)).toMatchObject({ valid: true, staleCount: 0, stableCount: 1 });
  });

  it('treats an info add as known once seen, and unseen info adds as no loss', async () => {
    const seenThenGone = new HistoryBuilder().op(0, 'add', 1, 'info').op(1, 'add', 2, 'info').op(2, 'read', null, 'ok', [1]).op(2, 'read', null, 'ok', []).build();
    const r = await setFull().check(seenThenGone);
    expect(r).toMatchObject({ valid: false, lostCount: 1, acknowledged: 0, attempted: 2 });
    expect((r.lost as Array<{ element: unknown }>).map((l) => l.element)).toEqual([1]);
  });

  it('says never-read (and unknown) when no read follows the add', async () => {
    const h = new HistoryBuilder().op(1, 'read', null, 'ok', []).op(0, 'add', 7).build();
    expect(await setFull().check(h)).toMatchObject({ valid: 'unknown', neverReadCount: 1, neverRead: [7] });
  });

  it('reports duplicated elements and unexpected ones (never added, or whose add failed)', async () => {
    const h = new HistoryBuilder().op(0, 'add', 1).op(0, 'add', 2, 'fail').op(1, 'read', null, 'ok', [1, 1, 2, 9]).build();
    const r = await setFull().check(h);
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['duplicated', 'unexpected']);
    expect(r.duplicated).toEqual([{ element: 1, count: 2, index: 5 }]);
    expect(r.unexpected).toEqual([
      { element: 2, index: 5, reason: 'its add failed' },
      { element: 9, index: 5, reason: 'never added' },
    ]);
  });

  it('checks keyed sets independently', async () => {
    const h = new HistoryBuilder()
      .op(0, 'add', ['a', 1])
      .op(0, 'add', ['b', 1])
      .op(1, 'read', ['a', null], 'ok', ['a', [1]])
      .op(1, 'read', ['b', null], 'ok', ['b', []])
      .build();
    const r = await setFull().check(h);
    expect(r).toMatchObject({ valid: false, stableCount: 1, lostCount: 1 });
    expect((r.lost as Array<{ element: unknown }>)[0]!.element).toEqual(['b', 1]);
  });

  it('rejects malformed ops with the op index', () => {
    expect(() => setFull().check(new HistoryBuilder().op(0, 'add', { e: 1 }).build())).toThrow(/op 0: add value must be/);
    expect(() => setFull().check(new HistoryBuilder().op(0, 'read', null, 'ok', 5).build())).toThrow(/op 1: ok read must return an array/);
  });

  it('property: a linearizable set always passes, even as linearizable', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(0, 3), (seed, keys) => {
        const r = setFull({ linearizable: true }).check(run(seed, keys)) as { valid: unknown; staleCount: number };
        return r.valid === true && r.staleCount === 0;
      }),
      { numRuns: 30 },
    );
  });

  it('end to end: flawed stores show lost, stale and duplicated elements', async () => {
    for (const seed of [1, 2, 3]) {
      expect((await setFull().check(run(seed, 2, 'lossy'))).anomalyTypes).toEqual(['lost']);
      const stale = await setFull().check(run(seed, 0, 'stale-reads'));
      expect(stale.valid).toBe(true);
      expect(stale.staleCount).toBeGreaterThan(0);
      expect((await setFull({ linearizable: true }).check(run(seed, 0, 'stale-reads'))).anomalyTypes).toEqual(['stale']);
      expect((await setFull().check(run(seed, 0, 'duplicates'))).anomalyTypes).toEqual(['duplicated']);
    }
  });
});
