// Splitting a transaction by shard group and merging the groups' answers back in order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MicroOp } from '../protocol.ts';
import { mergeResults, planTxn } from './plan.ts';
import { groupOf, initialMap } from './shard-map.ts';

const map = initialMap(['g1', 'g2', 'g3']);
const mop = fc.tuple(fc.constantFrom<'append' | 'r' | 'w'>('append', 'r', 'w'), fc.integer({ min: 0, max: 40 }), fc.integer());

describe('transaction plans', () => {
  it('gives each group exactly its ops, primary first by id, and merges answers back in order', () => {
    fc.assert(
      fc.property(fc.array(mop, { minLength: 1, maxLength: 12 }), raw => {
        const ops = raw as MicroOp[];
        const parts = planTxn(map, ops);
        expect(parts.map(p => p.group)).toEqual([...new Set(parts.map(p => p.group))].sort());
        for (const p of parts) for (const op of p.ops) expect(groupOf(map, op[1])).toBe(p.group);
        expect(parts.flatMap(p => p.positions).sort((a, b) => a - b)).toEqual(ops.map((_, i) => i));
        // Each group answers its own ops tagged with its name; the merge puts them back in place.
        const answers = parts.map(p => p.ops.map(([f, k]) => [f, k, p.group] as MicroOp));
        const merged = mergeResults(parts, answers, ops.length);
        expect(merged.map(([f, k]) => [f, k])).toEqual(ops.map(([f, k]) => [f, k]));
        expect(merged.map(m => m[2])).toEqual(ops.map(op => groupOf(map, op[1])));
      }),
    );
  });

  it('refuses an answer of the wrong length', () => {
    const parts = planTxn(map, [['r', 1, null]]);
    expect(() => mergeResults(parts, [[]], 1)).toThrow(/answered 0 results for 1 ops/);
  });
});
