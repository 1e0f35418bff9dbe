// The latency grid: its range is the ops' own, every op that completed sets the cell it falls in
// for its completion type and f, and no cell is set without an op in it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../core/op.ts';
import { latencyGrid, MIN_LATENCY_MS } from './latency-grid.ts';
import { buildOpTable, TYPE_CODE } from './op-table.ts';

const TYPES = ['ok', 'fail', 'info'] as const;

/** A history of sequential ops per process from drawn latencies (ns), f and outcome. */
function historyOf(ops: Array<{ process: number; gap: number; latency: number; f: number; outcome: number }>): Op[] {
  const events: Array<{ time: number; process: number; type: Op['type']; f: string; value: null }> = [];
  const free = new Map<number, number>();
  for (const o of ops) {
    const t0 = (free.get(o.process) ?? 0) + o.gap;
    const t1 = t0 + o.latency;
    free.set(o.process, t1);
    const f = o.f === 0 ? 'read' : 'write';
    events.push({ time: t0, process: o.process, type: 'invoke', f, value: null });
    if (o.outcome < 3) events.push({ time: t1, process: o.process, type: TYPES[o.outcome]!, f, value: null });
  }
  events.sort((a, b) => a.time - b.time);
  return events.map((e, index) => ({ index, ...e }));
}

const opArb = fc.record({
  process: fc.integer({ min: 0, max: 3 }),
  gap: fc.integer({ min: 0, max: 5_000_000 }),
  latency: fc.integer({ min: 0, max: 50_000_000 }),
  f: fc.integer({ min: 0, max: 1 }),
  outcome: fc.integer({ min: 0, max: 3 }),
});

describe('latencyGrid', () => {
  it('sets exactly the cells of the ops that completed, per completion type and f', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 30 }), (ops, xBins, yBins) => {
        const t = buildOpTable(historyOf(ops), 4);
        const grid = latencyGrid(t, xBins, yBins);
        const done = [...Array(t.n).keys()].filter((k) => t.type[k] !== TYPE_CODE.none);
        if (done.length === 0) {
          expect(grid).toBeUndefined();
          return;
        }
        expect(grid).toBeDefined();
        const g = grid!;
        const xs = done.map((k) => t.t0[k]! / 1000);
        const ys = done.map((k) => Math.max(MIN_LATENCY_MS, t.t1[k]! - t.t0[k]!));
        expect([g.x0, g.x1, g.y0, g.y1]).toEqual([Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)]);
        // Where each op lies, as a fraction of the grid's range (0 when the range is one value).
        const at = (v: number, lo: number, hi: number): number => (hi > lo ? (v - lo) / (hi - lo) : 0);
        const expected = new Map<string, Set<number>>();
        done.forEach((k, i) => {
          const col = Math.min(xBins - 1, Math.floor(at(xs[i]!, g.x0, g.x1) * xBins));
          const row = Math.min(yBins - 1, Math.floor(at(Math.log10(ys[i]!), Math.log10(g.y0), Math.log10(g.y1)) * yBins));
          const key = `${t.type[k]}/${t.f[k]}`;
          if (!expected.has(key)) expected.set(key, new Set());
          expected.get(key)!.add(col * yBins + row);
        });
        const got = new Map<string, Set<number>>();
        for (const c of g.cats) {
          const bits = Buffer.from(c.cells, 'base64');
          expect(bits.length).toBe(Math.ceil((xBins * yBins) / 8));
          const cells = new Set<number>();
          for (let cell = 0; cell < xBins * yBins; cell++) if (bits[cell >> 3]! & (1 << (cell & 7))) cells.add(cell);
          got.set(`${c.type}/${c.f}`, cells);
        }
        expect(got).toEqual(expected);
        // Drawing order: by type, then f.
        const order = g.cats.map((c) => c.type * t.fs.length + c.f);
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }),
    );
  });

  it('leaves out the nemesis and ops that never completed', () => {
    const ms = 1e6;
    const h: Op[] = [
      { index: 0, time: 0, process: 'nemesis', type: 'invoke', f: 'start-partition', value: null },
      { index: 1, time: 1 * ms, process: 0, type: 'invoke', f: 'read', value: null },
      { index: 2, time: 2 * ms, process: 'nemesis', type: 'info', f: 'start-partition', value: null },
      { index: 3, time: 4 * ms, process: 1, type: 'invoke', f: 'read', value: null },
    ];
    expect(latencyGrid(buildOpTable(h, 2))).toBeUndefined();
  });
});
