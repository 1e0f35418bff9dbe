// Tests for the long-fork workload's op generation.
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/generator/rng.ts';
import { longForkOp } from './index.ts';

describe('long-fork workload', () => {
  it('writes each key once and reads whole groups in shuffled order', () => {
    const rng = makeRng(1);
    const written: number[] = [];
    let shuffled = false;
    for (let n = 0; n < 300; n++) {
      const o = longForkOp(rng, n, { groupSize: 4 });
      const mops = o.value as Array<[string, number, unknown]>;
      if (o.f === 'write') {
        expect(mops).toEqual([['w', n, 1]]);
        written.push(n);
        continue;
      }
      const keys = mops.map((m) => m[1]);
      const sorted = [...keys].sort((a, b) => a - b);
      if (sorted.join() !== keys.join()) shuffled = true;
      expect(sorted[0]! % 4).toBe(0);
      expect(sorted).toEqual([0, 1, 2, 3].map((i) => sorted[0]! + i));
      expect(mops.every((m) => m[0] === 'r' && m[2] === null)).toBe(true);
    }
    expect(new Set(written).size).toBe(written.length);
    expect(shuffled).toBe(true);
  });
});
