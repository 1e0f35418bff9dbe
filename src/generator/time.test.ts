// Tests of stagger, delay, sleep and timeLimit on simulate()'s fake clock.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { invocations, simulate } from './simulate.ts';
import { delay, sleep, stagger, timeLimit } from './time.ts';
import { limit, repeat } from './transform.ts';
import { clients, nemesis } from './threads.ts';
import { any } from './combine.ts';
import { phases } from './sync.ts';

const S = 1e9;

describe('stagger', () => {
  it('spaces ops by random gaps averaging the interval, in total over all threads', () => {
    const h = invocations(simulate(clients(limit(2000, stagger(0.1, repeat({ f: 'r' })))), { concurrency: 5, latencyMs: 1, seed: 3 }));
    const gaps = h.slice(1).map((o, i) => o.time - h[i]!.time);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean / S).toBeGreaterThan(0.09);
    expect(mean / S).toBeLessThan(0.11);
    expect(Math.max(...gaps) / S).toBeLessThanOrEqual(0.2);
    expect(new Set(gaps).size).toBeGreaterThan(100);
  });
});

describe('delay', () => {
  it('starts ops exactly the interval apart when threads are free', () => {
    const h = invocations(simulate(clients(limit(5, delay(0.5, repeat({ f: 'r' })))), { concurrency: 2, latencyMs: 10 }));
    expect(h.map((o) => o.time / S)).toEqual([0, 0.5, 1, 1.5, 2]);
  });
});

describe('sleep', () => {
  it('holds back what follows for the given seconds', () => {
    const h = simulate(clients([{ f: 'a' }, sleep(2), { f: 'b' }]), { latencyMs: 1 });
    const [a, b] = invocations(h);
    expect(a!.time).toBe(0);
    expect(b!.time).toBe(2 * S);
  });

  it('counts from when it is first asked (after the ops before it)', () => {
    const h = simulate(phases(clients(delay(1, limit(3, repeat({ f: 'a' })))), sleep(5), clients({ f: 'b' })), { latencyMs: 100 });
    const b = invocations(h).find((o) => o.f === 'b')!;
    // The last a starts at 2 s and completes at 2.1 s; the sleep starts then.
    expect(b.time / S).toBeCloseTo(7.1, 6);
  });
});

describe('timeLimit', () => {
  it('never yields an op at or past its deadline, measured from the first op', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        fc.double({ min: 0.01, max: 0.5, noNaN: true }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer(),
        (seconds, interval, concurrency, seed) => {
          const h = invocations(simulate(clients(timeLimit(seconds, stagger(interval, repeat({ f: 'r' })))), { concurrency, seed, latencyMs: 2 }));
          expect(h.length).toBeGreaterThan(0);
          const first = h[0]!.time;
          for (const op of h) expect(op.time).toBeLessThan(first + Math.round(seconds * S));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('lets a run go on until near its deadline', () => {
    const h = invocations(simulate(clients(timeLimit(10, delay(1, repeat({ f: 'r' })))), { latencyMs: 1 }));
    expect(h.map((o) => o.time / S)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('ends at the deadline even while its generator is pending', () => {
    // The nemesis generator waits 100 s; the limit ends everything at 3 s.
    const h = simulate(timeLimit(3, any(clients(delay(1, repeat({ f: 'r' }))), nemesis([sleep(100), { f: 'start-kill' }]))), { latencyMs: 1 });
    expect(invocations(h).every((o) => o.f === 'r')).toBe(true);
    expect(h.at(-1)!.time).toBeLessThan(3 * S);
  });
});
