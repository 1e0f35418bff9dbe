// Tests for the register workload's op generation.
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/generator/rng.ts';
import { registerOp } from './index.ts';

describe('register workload', () => {
  it('writes and compare-and-sets fresh values, unkeyed or keyed', () => {
    const rng = makeRng(1);
    const fs = new Set<string>();
    for (let n = 0; n < 300; n++) {
      const o = registerOp(rng, n);
      fs.add(o.f);
      if (o.f === 'write') expect(o.value).toBe(n);
      if (o.f === 'cas') expect((o.value as number[])[1]).toBe(n);
      if (o.f === 'read') expect(o.value).toBeNull();
      const k = registerOp(rng, n, { keys: 2 });
      expect((k.value as unknown[])[0]).toBeLessThan(2);
    }
    expect([...fs].sort()).toEqual(['cas', 'read', 'write']);
  });
});
