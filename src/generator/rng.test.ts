// Tests of the seeded Rng: determinism per seed, ranges, and rough uniformity.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeRng } from './rng.ts';

const draw = (seed: number, n: number): number[] => {
  const rng = makeRng(seed);
  return Array.from({ length: n }, () => rng.next());
};

describe('makeRng', () => {
  it('gives the same sequence for the same seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(draw(seed, 20)).toEqual(draw(seed, 20));
      }),
    );
  });

  it('gives different sequences for nearby seeds, including seeds past 2^32', () => {
    expect(draw(1, 5)).not.toEqual(draw(2, 5));
    expect(draw(2 ** 32, 5)).not.toEqual(draw(0, 5));
  });

  it('keeps next() in [0, 1) and int(n) in [0, n)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
        const rng = makeRng(seed);
        for (let i = 0; i < 50; i++) {
          const x = rng.next();
          expect(x >= 0 && x < 1).toBe(true);
          const k = rng.int(n);
          expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
        }
      }),
    );
  });

  it('is roughly uniform', () => {
    const rng = makeRng(42);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) buckets[rng.int(10)]!++;
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });

  it('rejects a non-finite seed', () => {
    expect(() => makeRng(Number.NaN)).toThrow(/finite/);
  });
});
