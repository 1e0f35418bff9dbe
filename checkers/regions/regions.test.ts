// The regions checker: ops are split by the region of their node and by phase (outside faults,
// cut off by a region partition, on its other side), with availability (ok, or a CAS refused on
// a mismatch) and the latency of answered ops per phase; lost updates: compare-and-sets from one
// value that all succeeded, the whole branch a split brain's resync dropped, none in a
// linearizable history.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryBuilder } from '../../src/inprocess/history-builder.ts';
import { regions } from './regions.ts';

const placement = [
  { name: 'east', nodes: ['n1', 'n2'] },
  { name: 'west', nodes: ['n3'] },
];
const at = (node: string) => ({ node });

describe('regions', () => {
  it('splits availability and latency by region and by side of a region partition', () => {
    const b = new HistoryBuilder();
    b.op(0, 'read', null, 'ok', 1, at('n1')).op(2, 'read', null, 'ok', 1, at('n3')); // outside faults
    b.nemesis('start-partition', { shape: 'region', sides: [['west'], ['east']], grudge: { n3: ['n1', 'n2'], n1: ['n3'], n2: ['n3'] } });
    b.invoke(0, 'write', 5, at('n1')).wait(40).ok(0, undefined, at('n1')); // east, other side: ok in 41 ms
    b.op(1, 'read', null, 'fail', undefined, at('n2')); // east, other side: fail
    b.invoke(1, 'cas', [1, 2], at('n2')).wait(9).fail(1, undefined, { ...at('n2'), error: 'cas-mismatch: expected 1, found 5' }); // east, other side: answered
    b.op(1, 'cas', [1, 2], 'fail', undefined, { ...at('n2'), error: 'connect-failed: no route' }); // east, other side: not answered
    b.op(2, 'write', 6, 'info', undefined, at('n3')); // west, cut off: info
    b.nemesis('stop-partition');
    b.nemesis('start-kill', ['n2']);
    b.op(2, 'read', null, 'ok', 6, at('n3')); // west, during another fault: overall only
    b.nemesis('stop-kill');
    const r = regions({ regions: placement }).check(b.build());
    expect(r.valid).toBe(true);
    expect(r.informational).toBe(true);
    expect(r.partitions).toEqual([expect.objectContaining({ sides: [['west'], ['east']] })]);
    const [east, west] = r.regions;
    expect(east).toMatchObject({ region: 'east', nodes: ['n1', 'n2'] });
    expect(east!.overall).toMatchObject({ ops: 5, ok: 2, fail: 3, info: 0, casMismatch: 1 });
    expect(east!.outsideFaults).toMatchObject({ ops: 1, ok: 1, availability: 1 });
    expect(east!.otherSide).toMatchObject({ ops: 4, ok: 1, fail: 3, casMismatch: 1, availability: 0.5 });
    expect(east!.otherSide.latency.count).toBe(2);
    expect(east!.otherSide.latency.quantilesMs['1']).toBe(41);
    expect(east!.otherSide.latency.quantilesMs['0.5']).toBe(10);
    expect(east!.cutOff).toMatchObject({ ops: 0, availability: null });
    expect(west!.overall).toMatchObject({ ops: 3, ok: 2, info: 1 });
    expect(west!.cutOff).toMatchObject({ ops: 1, info: 1, availability: 0 });
    expect(west!.outsideFaults).toMatchObject({ ops: 1, ok: 1 });
    expect(r.lostUpdates.total).toBe(0);
  });

  it('counts every further successful compare-and-set from one value as a lost update, keyed or not', () => {
    const b = new HistoryBuilder();
    b.op(0, 'write', 1, 'ok', undefined, at('n1'));
    b.op(0, 'cas', [1, 2], 'ok', undefined, at('n1')).op(1, 'cas', [1, 3], 'ok', undefined, at('n3')).op(2, 'cas', [1, 4], 'ok', undefined, at('n2'));
    b.op(0, 'cas', [2, 5], 'ok', undefined, at('n1')).op(1, 'cas', [2, 6], 'fail', undefined, at('n3')); // one success: fine
    b.op(0, 'cas', ['k', [7, 8]], 'ok', undefined, at('n1')).op(1, 'cas', ['k', [7, 9]], 'ok', undefined, at('n2')); // same region
    b.op(0, 'cas', ['j', [7, 8]], 'ok', undefined, at('n1')); // another key: no conflict
    const r = regions({ regions: placement }).check(b.build());
    // 3 and 4 lost to the chain's 1 -> 2 (n1, east): 3 came from the west; 8 lost to 9, both east.
    expect(r.lostUpdates).toMatchObject({ total: 3, crossRegion: 1, duringRegionPartitions: 0 });
    expect(r.lostUpdates.examples).toEqual([{ lost: [4, 6], lostTo: 2 }, { lost: [12], lostTo: 14 }]);
    expect(r.regions.map((x) => [x.region, x.updatesLost])).toEqual([['east', 2], ['west', 1]]);
  });

  it('counts the whole branch a split brain\'s resync dropped, not only the compare-and-set at the fork', () => {
    // Active-active: both sides update the register while the west is cut off; at the heal the
    // west's last update has the highest stamp and wins, and everything the east did is gone.
    const b = new HistoryBuilder();
    b.op(0, 'write', 1, 'ok', undefined, at('n1'));
    b.op(1, 'read', null, 'ok', 1, at('n3'));
    b.nemesis('start-partition', { shape: 'region', sides: [['west'], ['east']] });
    b.op(0, 'cas', [1, 2], 'ok', undefined, at('n1')).op(2, 'cas', [2, 3], 'ok', undefined, at('n2')).op(0, 'write', 4, 'ok', undefined, at('n1'));
    b.op(0, 'cas', [4, 5], 'ok', undefined, at('n1')).op(2, 'read', null, 'ok', 5, at('n2'));
    b.op(1, 'cas', [1, 6], 'ok', undefined, at('n3')).op(1, 'cas', [6, 7], 'ok', undefined, at('n3'));
    b.nemesis('stop-partition');
    b.op(0, 'read', null, 'ok', 7, at('n1')).op(1, 'read', null, 'ok', 7, at('n3'));
    const h = b.build();
    const r = regions({ regions: placement }).check(h);
    // The surviving chain is 1 -> 6 -> 7: 2 and 3 forked from 1; the east's blind write 4 and
    // 4 -> 5 came after the chain's root and the chain never saw them. Before: only the fork (1).
    expect(r.lostUpdates.total).toBe(4);
    expect(r.lostUpdates).toMatchObject({ crossRegion: 4, duringRegionPartitions: 4 });
    const lostValues = r.lostUpdates.examples.flatMap((g) => g.lost).map((i) => h[i]!.value);
    expect(lostValues).toEqual([[1, 2], [2, 3], 4, [4, 5]]);
    expect(r.regions.map((x) => [x.region, x.updatesLost])).toEqual([['east', 4], ['west', 0]]);
  });

  it('an update built on the surviving value, that the survivor never reflects, is lost even when the value\'s own write never answered', () => {
    // The write of 1 timed out (it took effect: it was read); 1 -> 2 succeeded on n1, yet the
    // final reads still find 1 (a last-writer-wins store whose n1 stamps behind, a skewed clock).
    const b = new HistoryBuilder();
    b.op(0, 'write', 1, 'info', undefined, at('n3'));
    b.op(1, 'cas', [1, 2], 'ok', undefined, at('n1'));
    b.op(2, 'read', null, 'ok', 1, at('n3')).op(1, 'read', null, 'ok', 1, at('n1'));
    const r = regions({ regions: placement }).check(b.build());
    expect(r.lostUpdates).toMatchObject({ total: 1, crossRegion: 1, examples: [{ lost: [2], lostTo: 4 }] });
  });

  it('a write that came before the surviving chain\'s root was overwritten, not lost', () => {
    const b = new HistoryBuilder();
    b.op(0, 'write', 1, 'ok', undefined, at('n1')).op(0, 'cas', [1, 2], 'ok', undefined, at('n1'));
    b.op(1, 'write', 3, 'ok', undefined, at('n3')).op(1, 'cas', [3, 4], 'ok', undefined, at('n3'));
    b.op(0, 'read', null, 'ok', 4, at('n1'));
    expect(regions({ regions: placement }).check(b.build()).lostUpdates.total).toBe(0);
  });

  it('property: a linearizable register history has no lost update', () => {
    const step = fc.record({ f: fc.constantFrom('read', 'write', 'cas'), key: fc.integer({ min: 0, max: 2 }), back: fc.integer({ min: 0, max: 3 }), node: fc.constantFrom('n1', 'n2', 'n3'), overlap: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        // Ops applied to one register per key in order; an op may overlap the next (invoked
        // before the previous one completes) but still takes effect in order.
        const b = new HistoryBuilder();
        const state = new Map<number, number | null>();
        const written = new Map<number, number[]>();
        let open: { p: number; type: 'ok' | 'fail'; value: unknown; node: string } | undefined;
        const close = (): void => {
          if (open?.type === 'ok') b.ok(open.p, open.value, at(open.node));
          else if (open) b.fail(open.p, open.value, at(open.node));
          open = undefined;
        };
        steps.forEach((s, n) => {
          const p = n % 2;
          if (!s.overlap) close();
          const previous = open;
          const current = state.get(s.key) ?? null;
          const mine = written.get(s.key) ?? [];
          if (s.f === 'read') {
            b.invoke(p, 'read', [s.key, null], at(s.node));
            open = { p, type: 'ok', value: [s.key, current], node: s.node };
          } else if (s.f === 'write') {
            b.invoke(p, 'write', [s.key, n], at(s.node));
            state.set(s.key, n);
            written.set(s.key, [...mine, n]);
            open = { p, type: 'ok', value: undefined, node: s.node };
          } else {
            const from = mine.length > 0 ? mine[Math.max(0, mine.length - 1 - s.back)]! : null;
            b.invoke(p, 'cas', [s.key, [from, n]], at(s.node));
            const swapped = from === current;
            if (swapped) {
              state.set(s.key, n);
              written.set(s.key, [...mine, n]);
            }
            open = { p, type: swapped ? 'ok' : 'fail', value: undefined, node: s.node };
          }
          // The previous op, invoked before this one, completes after this one's invocation.
          if (previous) {
            const mineNow = open;
            open = previous;
            close();
            open = mineNow;
          }
        });
        close();
        expect(regions({ regions: placement }).check(b.build()).lostUpdates.total).toBe(0);
      }),
    );
  });

  it('property: each region\'s phases add up, and the overall counts cover every op on a placed node', () => {
    const event = fc.oneof(
      fc.record({ kind: fc.constant('op' as const), node: fc.constantFrom('n1', 'n2', 'n3', 'n9'), type: fc.constantFrom('ok' as const, 'fail' as const, 'info' as const) }),
      fc.record({ kind: fc.constant('cut' as const), west: fc.boolean() }),
      fc.record({ kind: fc.constant('heal' as const) }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const b = new HistoryBuilder();
        let placed = 0;
        for (const e of events) {
          if (e.kind === 'op') {
            b.op(0, 'read', null, e.type, undefined, at(e.node));
            if (e.node !== 'n9') placed++;
          } else if (e.kind === 'cut') b.nemesis('start-partition', { sides: e.west ? [['west'], ['east']] : [['east'], ['west']] });
          else b.nemesis('stop-partition');
        }
        const r = regions({ regions: placement }).check(b.build());
        expect(r.regions.reduce((n, x) => n + x.overall.ops, 0)).toBe(placed);
        for (const x of r.regions) {
          expect(x.outsideFaults.ops + x.cutOff.ops + x.otherSide.ops).toBe(x.overall.ops);
          expect(x.overall.ok + x.overall.fail + x.overall.info).toBe(x.overall.ops);
          expect(x.overall.latency.count).toBe(x.overall.ok);
        }
      }),
    );
  });
});
