// Tests for the causal workload's op generation.
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/generator/rng.ts';
import { causalOp } from './index.ts';

describe('causal workload', () => {
  it('reads all keys of the current group at once and writes op numbers into one of them', () => {
    const rng = makeRng(1);
    const kinds = new Set<string>();
    for (let n = 0; n < 300; n++) {
      const o = causalOp(rng, n, { keysPerGroup: 3, opsPerGroup: 100 });
      const base = Math.floor(n / 100) * 3;
      kinds.add(o.f);
      if (o.f === 'read') expect(o.value).toEqual([base, base + 1, base + 2]);
      else expect(o.value).toEqual([expect.any(Number), n]);
      if (o.f === 'write') expect((o.value as number[])[0]! - base).toBeLessThan(3);
    }
    expect([...kinds].sort()).toEqual(['read', 'write']);
  });
});
