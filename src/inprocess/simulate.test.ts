// Tests for the in-process simulation: well-formed, reproducible histories with info and retries.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { makeRng } from '../generator/rng.ts';
import { validateHistory } from '../history/validate.ts';
import type { Op } from '../core/op.ts';
import { simulate, type SimStore } from './simulate.ts';
import { HistoryBuilder } from './history-builder.ts';
import { Replicas } from './replicas.ts';

function counting(): SimStore & { applied: number; settled: boolean } {
  const s = {
    applied: 0,
    settled: false,
    apply() {
      s.applied++;
      return { type: 'ok' as const, value: s.applied };
    },
    settle() {
      s.settled = true;
    },
  };
  return s;
}

const run = (seed: number, store: SimStore = counting(), infoRate = 0.2) =>
  simulate({ rng: makeRng(seed), store, threads: 3, nodes: ['n1', 'n2'], switchNodeRate: 0.5, infoRate, ops: 100, nextOp: (_rng, n) => ({ f: 'inc', value: n }), retry: (op) => (op.value === 7 ? { f: 'inc', value: 'retry-7' } : null), final: [{ f: 'read' }] });

describe('simulate', () => {
  it('property: histories are well formed, and the same seed gives the same history', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const h = run(seed);
        expect(validateHistory(h)).toEqual([]);
        expect(run(seed)).toEqual(h);
      }),
      { numRuns: 25 },
    );
  });

  it('gives a thread a fresh process after info and retries as asked', () => {
    let sawRetry = false;
    for (let seed = 0; seed < 40 && !sawRetry; seed++) {
      const h = run(seed, counting(), 0.5);
      const infos = h.filter((op) => op.type === 'info');
      expect(infos.length).toBeGreaterThan(0);
      for (const info of infos) expect(h.some((op) => op.index > info.index && op.process === info.process && op.type === 'invoke')).toBe(false);
      const seven = h.find((op) => op.type === 'info' && op.value === 7);
      if (seven) sawRetry = h.some((op: Op) => op.type === 'invoke' && op.value === 'retry-7');
    }
    expect(sawRetry).toBe(true);
  });

  it('runs the final ops after settling, and uses the nodes given', () => {
    const store = counting();
    const h = run(1, store, 0);
    expect(store.settled).toBe(true);
    expect(h.slice(-2).map((op) => [op.type, op.f])).toEqual([['invoke', 'read'], ['ok', 'read']]);
    expect(new Set(h.map((op) => op.node))).toEqual(new Set(['n1', 'n2']));
    expect(h.filter((op) => op.type === 'invoke' && op.f === 'inc')).toHaveLength(100);
  });
});

describe('Replicas', () => {
  it('applies at the origin at once, elsewhere on ticks in per-origin order, everywhere on settle', () => {
    const r = new Replicas<number[]>(['a', 'b'], () => []);
    r.update('a', (s) => s.push(1));
    r.update('a', (s) => s.push(2));
    expect(r.state('a')).toEqual([1, 2]);
    expect(r.state('b')).toEqual([]);
    r.tick(makeRng(3));
    expect(r.state('b')).toEqual([1]);
    r.settle();
    expect(r.state('b')).toEqual([1, 2]);
  });
});

describe('HistoryBuilder', () => {
  it('pairs completions with invocations and spaces events 1 ms apart', () => {
    const h = new HistoryBuilder().invoke(0, 'write', 1).wait(5).ok(0).op(1, 'read', null, 'ok', 1).build();
    expect(h.map((op) => [op.index, op.time / 1e6, op.type, op.f, op.value])).toEqual([
      [0, 1, 'invoke', 'write', 1],
      [1, 7, 'ok', 'write', 1],
      [2, 8, 'invoke', 'read', null],
      [3, 9, 'ok', 'read', 1],
    ]);
    expect(() => new HistoryBuilder().ok(0)).toThrow(/no open invocation/);
  });
});
