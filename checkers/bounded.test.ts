// Bounded evidence: within-limit values untouched, everything else cut with a marker saying how
// big it was, bounding twice changes nothing, and compose bounds every checker's result.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryBuilder } from '../src/inprocess/history-builder.ts';
import { boundEvidence, cutString, LEFT_OUT_KEY, type EvidenceLimits } from './bounded.ts';
import { compose } from './compose.ts';
import { linearizable } from './linearizable/index.ts';
import { staleReads } from './stale-reads/stale-reads.ts';

const small: EvidenceLimits = { maxString: 40, maxItems: 6, maxKeys: 5, maxDepth: 4 };

/** True when no string, array, object or nesting in `v` exceeds the limits. */
function within(v: unknown, l: EvidenceLimits, depth = 0): boolean {
  if (typeof v === 'string') return v.length <= l.maxString;
  if (v === null || typeof v !== 'object') return true;
  if (depth >= l.maxDepth) return false;
  if (Array.isArray(v)) return v.length <= l.maxItems && v.every((x) => within(x, l, depth + 1));
  const values = Object.values(v);
  return values.length <= l.maxKeys && values.every((x) => within(x, l, depth + 1));
}

describe('boundEvidence', () => {
  it('cuts a long string to the limit and says how long it was', () => {
    const cut = cutString('x'.repeat(100_000), 60);
    expect(cut).toHaveLength(60);
    expect(cut.endsWith('…[truncated: 100000 chars]')).toBe(true);
    expect(cutString('short', 60)).toBe('short');
  });

  it('keeps the head and tail of a long array and counts what was left out', () => {
    const out = boundEvidence({ ops: Array.from({ length: 100 }, (_, i) => i) }, small);
    expect(out.ops).toEqual([0, 1, '…[95 of 100 items left out]…', 97, 98, 99]);
  });

  it('keeps the first keys of a wide object and counts the rest', () => {
    const wide = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, i]));
    expect(boundEvidence(wide, small)).toEqual({ k0: 0, k1: 1, k2: 2, k3: 3, [LEFT_OUT_KEY]: '5 of 9 keys left out' });
  });

  it('property: the result is within the limits, bounding it again changes nothing, and small values are untouched', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        const once = boundEvidence(v, small);
        expect(within(once, small)).toBe(true);
        expect(boundEvidence(once, small)).toEqual(once);
        if (within(v, small)) expect(once).toEqual(v);
      }),
      { numRuns: 500 },
    );
  });

  it('compose bounds the evidence of every checker: a 5 MB value stays out of the result', async () => {
    const huge = 'v'.repeat(5_000_000);
    const h = new HistoryBuilder().op(0, 'write', huge).op(0, 'write', 'b').wait(5).op(1, 'read', null, 'ok', huge).build();
    const r = await compose([linearizable({ model: 'register', threads: 0 }), staleReads()]).check(h, {});
    expect(r.valid).toBe(false);
    const json = JSON.stringify(r);
    expect(json.length).toBeLessThan(100_000);
    expect(json).toContain('…[truncated: 5000000 chars]');
    expect(r.checkers['stale-reads']).toMatchObject({ staleCount: 1, anomalyCounts: { 'stale-read': 1 } });
  });
});
