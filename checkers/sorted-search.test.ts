// Tests for the shared binary search.
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { countBelow } from './sorted-search.ts';

it('property: agrees with a linear count, strict and inclusive, from any start', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -5, max: 5 })), fc.integer({ min: -6, max: 6 }), fc.nat(), (xs, x, f) => {
      const a = xs.sort((p, q) => p - q);
      const from = a.length === 0 ? 0 : f % (a.length + 1);
      const tail = a.slice(from);
      expect(countBelow(a, x, false, from)).toBe(from + tail.filter((v) => v < x).length);
      expect(countBelow(Float64Array.from(a), x, true, from)).toBe(from + tail.filter((v) => v <= x).length);
    }),
  );
});
