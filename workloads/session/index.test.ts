// Tests for the session workload's op generation.
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/generator/rng.ts';
import { sessionOp } from './index.ts';

describe('session workload', () => {
  it('writes op numbers into the keys of the current group and reads single keys', () => {
    const rng = makeRng(1);
    for (let n = 0; n < 400; n++) {
      const o = sessionOp(rng, n, { keysPerGroup: 2, opsPerGroup: 100 });
      const [k, v] = o.value as [number, unknown];
      expect(Math.floor(k / 2)).toBe(Math.floor(n / 100));
      expect(v).toBe(o.f === 'write' ? n : null);
    }
  });
});
