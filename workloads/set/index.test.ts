// Tests for the set workload's op generation.
import { describe, expect, it } from 'vitest';
import { makeRng } from '../../src/generator/rng.ts';
import { simulate } from '../../src/generator/simulate.ts';
import { clients } from '../../src/generator/threads.ts';
import { setFinalOps, setOp, setWorkload } from './index.ts';

describe('set workload', () => {
  it('adds each element once and reads with the right shape', () => {
    const rng = makeRng(1);
    const ops = Array.from({ length: 500 }, (_, n) => setOp(rng, n));
    const adds = ops.filter((o) => o.f === 'add').map((o) => o.value);
    expect(new Set(adds).size).toBe(adds.length);
    expect(ops.filter((o) => o.f === 'read').every((o) => o.value === null)).toBe(true);
    expect(adds.length / ops.length).toBeGreaterThan(0.7);
  });

  it('uses [k, e] tuples for keyed sets, and reads every key at the end', () => {
    const rng = makeRng(2);
    const ops = Array.from({ length: 200 }, (_, n) => setOp(rng, n, { keys: 3 }));
    for (const o of ops) {
      expect(o.value).toEqual(o.f === 'add' ? [expect.any(Number), expect.any(Number)] : [expect.any(Number), null]);
      expect((o.value as number[])[0]).toBeLessThan(3);
    }
    expect(setFinalOps({ keys: 3 })).toEqual([0, 1, 2].map((k) => ({ f: 'read', value: [k, null] })));
    expect(setFinalOps()).toEqual([{ f: 'read', value: null }]);
  });

  it('as a Workload: the generator adds unique elements on client threads, set-full judges', () => {
    const w = setWorkload({ keys: 2, linearizable: true });
    const h = simulate(clients(w.generator), { concurrency: 3, seed: 1, maxInvocations: 200 });
    const adds = h.filter((op) => op.type === 'invoke' && op.f === 'add').map((op) => JSON.stringify(op.value));
    expect(adds.length).toBeGreaterThan(100);
    expect(new Set(adds).size).toBe(adds.length);
    expect(h.every((op) => op.process !== 'nemesis')).toBe(true);
    expect(w.checker.name).toBe('set-full');
  });
});
