// Tests of map, filter, limit, once, repeat, cycle, untilOk, processLimit and concurrencyLimit, run through simulate().
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Op } from '../core/op.ts';
import { invocations, simulate } from './simulate.ts';
import { concurrencyLimit, cycle, filter, limit, map, once, processLimit, repeat, untilOk } from './transform.ts';
import { clients } from './threads.ts';
import { any } from './combine.ts';

/** The largest number of invocations open at the same time. */
function maxOpen(history: readonly Op[]): number {
  let open = 0;
  let max = 0;
  for (const op of history) {
    open += op.type === 'invoke' ? 1 : -1;
    max = Math.max(max, open);
  }
  return max;
}

describe('limit and once', () => {
  it('limit(n) never yields more than n ops, and exactly n from an infinite generator', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 6 }), fc.integer(), (n, concurrency, seed) => {
        const h = simulate(clients(limit(n, repeat({ f: 'read' }))), { concurrency, seed, latencyMs: 1 });
        expect(invocations(h)).toHaveLength(n);
      }),
    );
  });

  it('limit(n) of a shorter generator yields all of it', () => {
    expect(invocations(simulate(clients(limit(10, [{ f: 'a' }, { f: 'b' }]))))).toHaveLength(2);
  });

  it('once yields the first op only', () => {
    expect(invocations(simulate(clients(once([{ f: 'a' }, { f: 'b' }])))).map((o) => o.f)).toEqual(['a']);
  });
});

describe('repeat and cycle', () => {
  it('repeat(n) yields the same first op n times', () => {
    expect(invocations(simulate(clients(repeat(4, [{ f: 'a' }, { f: 'b' }])))).map((o) => o.f)).toEqual(['a', 'a', 'a', 'a']);
  });

  it('repeat of a function calls it afresh each time', () => {
    let n = 0;
    const h = simulate(clients(repeat(3, () => ({ f: 'w', value: n++ }))));
    expect(invocations(h).map((o) => o.value)).toEqual([0, 1, 2]);
  });

  it('cycle(n) runs the whole generator n times', () => {
    const h = simulate(clients(cycle(3, [{ f: 'a' }, { f: 'b' }])), { concurrency: 1 });
    expect(invocations(h).map((o) => o.f)).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });

  it('cycle without a count goes on (until limited); cycle of nothing ends', () => {
    expect(invocations(simulate(clients(limit(7, cycle([{ f: 'a' }, { f: 'b' }]))), { concurrency: 1 }))).toHaveLength(7);
    expect(simulate(clients(cycle([])))).toEqual([]);
  });
});

describe('map and filter', () => {
  it('map rewrites every op', () => {
    const h = simulate(clients(map((op) => ({ ...op, f: `x-${op.f}`, value: 7 }), [{ f: 'a' }, { f: 'b' }])));
    expect(invocations(h).map((o) => [o.f, o.value])).toEqual([['x-a', 7], ['x-b', 7]]);
  });

  it('filter keeps only matching ops', () => {
    let n = 0;
    const h = simulate(clients(limit(5, filter((op) => (op.value as number) % 2 === 0, () => ({ f: 'w', value: n++ })))));
    expect(invocations(h).map((o) => o.value)).toEqual([0, 2, 4, 6, 8]);
  });
});

describe('untilOk', () => {
  it('stops issuing after the first ok completion', () => {
    let n = 0;
    const h = simulate(clients(untilOk(repeat({ f: 'read' }))), {
      concurrency: 1,
      complete: () => ({ type: n++ < 3 ? 'fail' : 'ok' }),
    });
    expect(h.filter((o) => o.type !== 'invoke').map((o) => o.type)).toEqual(['fail', 'fail', 'fail', 'ok']);
  });

  it('ignores ok completions of ops it did not issue', () => {
    // Both run at once and see every update; only the reads count for untilOk.
    const h = simulate(clients(any(once({ f: 'other' }), limit(3, untilOk(repeat({ f: 'read' }))))), {
      concurrency: 2,
      latencyMs: 1,
      complete: (op) => ({ type: op.f === 'other' ? 'ok' : 'fail' }),
    });
    expect(invocations(h).filter((o) => o.f === 'read')).toHaveLength(3);
  });
});

describe('processLimit', () => {
  it('stops once more than n distinct processes would be involved', () => {
    // Every op crashes (info), so each thread moves to a new process after each op.
    const h = simulate(clients(processLimit(4, repeat({ f: 'w' }))), {
      concurrency: 2,
      latencyMs: 1,
      complete: () => ({ type: 'info' }),
    });
    const processes = new Set(invocations(h).map((o) => o.process));
    expect(processes.size).toBeLessThanOrEqual(4);
    expect(processes.size).toBeGreaterThanOrEqual(2);
    expect(invocations(h).length).toBeGreaterThan(0);
  });

  it('never involves more than n processes, whatever the crashes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), fc.integer(), (n, concurrency, seed) => {
        let k = seed;
        const h = simulate(clients(processLimit(n, limit(200, repeat({ f: 'w' })))), {
          concurrency,
          seed,
          latencyMs: 1,
          complete: () => ({ type: k++ % 3 === 0 ? 'info' : 'ok' }),
        });
        expect(new Set(invocations(h).map((o) => o.process)).size).toBeLessThanOrEqual(n);
      }),
    );
  });
});

describe('concurrencyLimit', () => {
  it('keeps at most n ops in flight', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 8 }), fc.integer(), (n, concurrency, seed) => {
        const h = simulate(clients(concurrencyLimit(n, limit(40, repeat({ f: 'w' })))), { concurrency, seed, latencyMs: 3 });
        expect(invocations(h)).toHaveLength(40);
        expect(maxOpen(h)).toBeLessThanOrEqual(n);
        expect(maxOpen(h)).toBe(Math.min(n, concurrency));
      }),
    );
  });
});
