// Tests for the availability checker: overall, per-window and outside-fault fractions.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HistoryBuilder } from '../../src/inprocess/history-builder.ts';
import { availability } from './availability.ts';

describe('availability', () => {
  it('splits ops into fault windows and the time outside them', async () => {
    const b = new HistoryBuilder();
    b.op(0, 'read', null).op(0, 'read', null, 'fail'); // outside: 1 ok, 1 fail
    b.nemesis('start-partition');
    b.op(0, 'read', null, 'info').op(1, 'read', null).op(1, 'read', null, 'fail').invoke(2, 'write', 1); // inside
    b.nemesis('stop-partition');
    b.ok(2).op(1, 'read', null); // outside again (p2 was invoked inside)
    const r = await availability().check(b.build());
    expect(r.valid).toBe(true);
    expect(r.overall).toEqual({ ops: 7, ok: 4, fail: 2, info: 1, availability: 4 / 7 });
    expect(r.windows).toEqual([expect.objectContaining({ kind: 'partition', ops: 4, ok: 2, fail: 1, info: 1, availability: 0.5 })]);
    expect(r.byKind).toEqual({ partition: { ops: 4, ok: 2, fail: 1, info: 1, availability: 0.5 } });
    expect(r.outsideFaults).toEqual({ ops: 3, ok: 2, fail: 1, info: 0, availability: 2 / 3 });
  });

  it('counts invocations that never complete as not ok, and enforces minAvailability', async () => {
    const h = new HistoryBuilder().op(0, 'read', null).invoke(1, 'read').build();
    const r = await availability({ minAvailability: 0.9 }).check(h);
    expect(r.overall).toMatchObject({ ops: 2, ok: 1, info: 1 });
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(['low-availability']);
  });

  it('property: window and outside counts add up to at least the overall count', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('ok', 'fail', 'info', 'start', 'stop'), fc.nat(3)), { maxLength: 60 }), (events) => {
        const b = new HistoryBuilder();
        for (const [e, p] of events) {
          if (e === 'start' || e === 'stop') b.nemesis(`${e}-kill`);
          else b.op(p, 'read', null, e);
        }
        const r = availability().check(b.build());
        const inWindows = r.windows.reduce((s, w) => s + w.ops, 0);
        expect(inWindows + r.outsideFaults.ops).toBe(r.overall.ops);
        expect(r.overall.ops).toBe(events.filter(([e]) => e !== 'start' && e !== 'stop').length);
      }),
    );
  });
});
