// Tests for the register workload's op generation.
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/generator/rng.ts';
import { RecentWrites, registerOp } from './index.ts';

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

  it('compare-and-sets expect a value the generator wrote recently to that register', () => {
    const rng = makeRng(2);
    const recent = new RecentWrites();
    const written = new Map<number, number[]>();
    let cas = 0;
    for (let n = 1; n < 2000; n++) {
      const o = registerOp(rng, n, { keys: 3, casRatio: 0.3 }, recent);
      const [key, v] = o.value as [number, unknown];
      const mine = written.get(key) ?? [];
      if (o.f === 'cas') {
        const [expected, next] = v as [number, number];
        if (mine.length > 0) {
          expect(mine.slice(-3)).toContain(expected);
          cas++;
        }
        expect(next).toBe(n);
      }
      if (o.f !== 'read') written.set(key, [...mine, n]);
    }
    expect(cas).toBeGreaterThan(400);
  });
});
