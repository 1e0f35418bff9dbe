// Fault coverage and the chart series: overlap counts against a brute-force count, target
// descriptions, round bucket widths and nearest-rank quantiles.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faultWindows } from '../../../checkers/fault-windows.ts';
import { registerHistory } from '../../../test/report/fixtures.ts';
import { faultCoverage, describeTarget } from './coverage.ts';
import { buildOpTable, TYPE_CODE } from './op-table.ts';
import { bucketWidthMs, latencyQuantiles, throughput } from './series.ts';

describe('faultCoverage', () => {
  it('counts the client ops overlapping each window, as a brute-force scan does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const history = registerHistory({ ops: 300, concurrency: 3, seed, faultEveryMs: 20 });
        const table = buildOpTable(history, 3);
        const cov = faultCoverage(history, table);
        const windows = faultWindows(history);
        if (cov.windows.length !== windows.length) return false;
        return windows.every((w, i) => {
          let n = 0;
          for (let k = 0; k < table.n; k++) {
            if (table.lane[k] === table.nemesisLane) continue;
            const end = table.type[k] === TYPE_CODE.none ? table.endMs : table.t1[k]!;
            if (table.t0[k]! <= w.end / 1e6 && end >= w.start / 1e6) n++;
          }
          const o = cov.windows[i]!.ops;
          return o.ok + o.fail + o.info + o.none === n;
        });
      }),
      { numRuns: 20 },
    );
  });

  it('sums windows per fault kind', () => {
    const history = registerHistory({ ops: 500, concurrency: 3, seed: 1, faultEveryMs: 20 });
    const cov = faultCoverage(history, buildOpTable(history, 3));
    for (const k of cov.kinds) {
      const ws = cov.windows.filter((w) => w.kind === k.kind);
      expect(k.windows).toBe(ws.length);
      expect(k.totalMs).toBeCloseTo(ws.reduce((s, w) => s + w.endMs - w.startMs, 0));
    }
    expect(cov.kinds.map((k) => k.kind).sort()).toEqual(['kill', 'partition']);
  });

  it('describes targets: node lists, grudges, other values', () => {
    expect(describeTarget(['n1', 'n2'])).toBe('n1, n2');
    expect(describeTarget({ n1: ['n2', 'n3'], n2: [] })).toBe('n1 ↛ n2,n3; n2 ↛ ∅');
    expect(describeTarget({ node: 'n1', offsetMs: 500 })).toBe('{"node":"n1","offsetMs":500}');
    expect(describeTarget(null)).toBe('');
  });
});

describe('chart series', () => {
  it('picks round bucket widths near span / 200', () => {
    expect(bucketWidthMs(10_000)).toBe(50);
    expect(bucketWidthMs(60_000)).toBe(500);
    expect(bucketWidthMs(90_000)).toBe(500);
    expect(bucketWidthMs(100)).toBe(1);
  });

  it('computes nearest-rank quantiles of ok latencies per bucket and completions per second', () => {
    const history = registerHistory({ ops: 2000, concurrency: 4, seed: 9 });
    const table = buildOpTable(history, 4);
    const q = latencyQuantiles(table);
    const b = 3;
    const lat: number[] = [];
    for (let k = 0; k < table.n; k++) {
      if (table.type[k] === TYPE_CODE.ok && Math.floor(table.t0[k]! / q.bucketMs) === b) lat.push(table.t1[k]! - table.t0[k]!);
    }
    lat.sort((x, y) => x - y);
    expect(q.q['p50']![b]).toBeCloseTo(lat[Math.ceil(0.5 * lat.length) - 1]!, 3);
    expect(q.q['max']![b]).toBeCloseTo(lat[lat.length - 1]!, 3);
    const th = throughput(table);
    const completed = th.ok.reduce((s, x) => s + x, 0) + th.fail.reduce((s, x) => s + x, 0) + th.info.reduce((s, x) => s + x, 0);
    expect(completed * (th.bucketMs / 1000)).toBeCloseTo(2000, 0);
  });
});
