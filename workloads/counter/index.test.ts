// Tests for the counter workload's op generation.
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/generator/rng.ts';
import { counterOp } from './index.ts';

describe('counter workload', () => {
  it('adds positive deltas up to maxDelta, negative ones only for a PN counter', () => {
    const rng = makeRng(1);
    const g = Array.from({ length: 300 }, () => counterOp(rng, { maxDelta: 3 })).filter((o) => o.f === 'add').map((o) => o.value as number);
    expect(Math.min(...g)).toBe(1);
    expect(Math.max(...g)).toBe(3);
    const pn = Array.from({ length: 300 }, () => counterOp(rng, { pn: true })).filter((o) => o.f === 'add').map((o) => o.value as number);
    expect(pn.some((d) => d < 0)).toBe(true);
    expect(pn.every((d) => d !== 0 && Math.abs(d) <= 5)).toBe(true);
  });
});
