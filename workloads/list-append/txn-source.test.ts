// Tests of the transaction generator shared by list-append and rw-register: determinism, txn
// lengths, unique values per key, key retirement, and the skew of each key distribution.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { makeRng } from '../../src/generator/rng.ts';
import type { GenContext } from '../../src/core/generator.ts';
import { TxnSource, type TxnOptions } from './txn-source.ts';
import { listAppendTxns, listAppendWorkload } from './index.ts';
import { rwRegisterTxns, rwRegisterWorkload } from '../rw-register/index.ts';

function draw(opts: TxnOptions, n: number, seed = 1, writeF: 'append' | 'w' = 'append') {
  const source = new TxnSource(writeF, opts);
  const rng = makeRng(seed);
  return Array.from({ length: n }, () => source.next(rng));
}

describe('TxnSource', () => {
  it('is deterministic for a seed and varies across seeds', () => {
    expect(draw({}, 50, 7)).toEqual(draw({}, 50, 7));
    expect(draw({}, 50, 7)).not.toEqual(draw({}, 50, 8));
  });

  it('keeps txn lengths within bounds and uses the workload micro-op names', () => {
    const txns = draw({ minTxnLength: 2, maxTxnLength: 5 }, 500);
    for (const t of txns) {
      expect(t.f).toBe('txn');
      expect(t.value.length).toBeGreaterThanOrEqual(2);
      expect(t.value.length).toBeLessThanOrEqual(5);
      for (const [f, , v] of t.value) {
        expect(['append', 'r']).toContain(f);
        expect(f === 'r' ? v === null : typeof v === 'number').toBe(true);
      }
    }
    const rw = rwRegisterTxns().next(makeRng(3)).value;
    expect(rw.every(([f]) => f === 'w' || f === 'r')).toBe(true);
    expect(listAppendTxns().next(makeRng(3)).value.every(([f]) => f === 'append' || f === 'r')).toBe(true);
  });

  it('writes unique values per key and retires keys after maxWritesPerKey', () => {
    const seen = new Map<number, Set<number>>();
    for (const t of draw({ maxWritesPerKey: 3, keyCount: 2 }, 400)) {
      for (const [f, k, v] of t.value) {
        if (f === 'r') continue;
        const s = seen.get(k) ?? new Set();
        expect(s.has(v!)).toBe(false);
        s.add(v!);
        seen.set(k, s);
      }
    }
    expect(Math.max(...[...seen.values()].map((s) => s.size))).toBe(3);
    expect(seen.size).toBeGreaterThan(10);
  });

  it('skews keys as the distribution says', () => {
    const share = (opts: TxnOptions): number => {
      const counts = new Map<number, number>();
      let total = 0;
      for (const t of draw({ ...opts, maxWritesPerKey: 1_000_000, readRatio: 1 }, 2000)) {
        for (const [, k] of t.value) {
          counts.set(k, (counts.get(k) ?? 0) + 1);
          total++;
        }
      }
      return (counts.get(0) ?? 0) / total;
    };
    expect(share({ keyDistribution: 'uniform', keyCount: 4 })).toBeCloseTo(0.25, 1);
    expect(share({ keyDistribution: 'exponential', keyCount: 10 })).toBeCloseTo(0.5, 1);
    const zipf = share({ keyDistribution: 'zipf', keyCount: 10 });
    expect(zipf).toBeGreaterThan(0.3);
    expect(zipf).toBeLessThan(0.4);
  });

  it('rejects bad options', () => {
    expect(() => new TxnSource('append', { minTxnLength: 3, maxTxnLength: 2 })).toThrow(UsageError);
    expect(() => new TxnSource('append', { keyCount: 0 })).toThrow(/keyCount must be a positive integer/);
  });
});

describe('workloads', () => {
  it('issue txn invocations from the test rng and name their checkers', () => {
    const ctx: GenContext = { time: 0, freeThreads: [0, 1], workers: new Map([[0, 0], [1, 1]]), allThreads: [0, 1], concurrency: 2, rng: makeRng(9) };
    for (const [w, writeF] of [
      [listAppendWorkload({ keyCount: 2 }), 'append'],
      [rwRegisterWorkload(), 'w'],
    ] as const) {
      expect(w.checker.name).toBe(w.name);
      const r = w.generator.op({}, ctx);
      expect(r).not.toBeNull();
      const inv = r!.op;
      if (inv === 'pending') throw new Error('expected an invocation');
      expect(inv).toMatchObject({ type: 'invoke', f: 'txn', process: 0 });
      expect((inv.value as unknown[][]).every(([f]) => f === 'r' || f === writeF)).toBe(true);
    }
  });
});
