// Tests for the value → id index: table and map forms agree with the map they index.
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { resolveInto, valueIndex } from './value-index.ts';

it('property: resolves like the map, for dense integers (table), sparse ones and strings (map)', () => {
  const value = fc.oneof(fc.integer({ min: -50, max: 50 }), fc.integer(), fc.string({ maxLength: 2 }), fc.double());
  fc.assert(
    fc.property(fc.uniqueArray(value, { maxLength: 40 }), fc.array(value, { maxLength: 40 }), (written, probes) => {
      const map = new Map<unknown, number>(written.map((v, i) => [v, i]));
      const out = new Int32Array(probes.length + 1).fill(7);
      resolveInto(valueIndex(map), probes, out, 1);
      expect([...out.subarray(1)]).toEqual(probes.map((p) => map.get(p) ?? -1));
      expect(out[0]).toBe(7);
    }),
  );
});

it('uses a table for dense integers and resolves unknown indexes to -1', () => {
  expect(valueIndex(new Map([[10, 0], [12, 1]])).table).not.toBeNull();
  expect(valueIndex(new Map([[0, 0], [1e9, 1]])).table).toBeNull();
  const out = new Int32Array(2);
  resolveInto(undefined, [1, 2], out, 0);
  expect([...out]).toEqual([-1, -1]);
});
