// The op table: pairing, lanes per thread, never-completed ops, counts, and packed columns that
// unpack to the same numbers.
import { describe, expect, it } from 'vitest';
import type { Op } from '../../core/op.ts';
import { gunzipSync } from 'node:zlib';
import { buildOpTable, countOps, encodeOpTable, PACKED_COLUMNS, PACKED_DETAIL_COLUMNS, TYPE_CODE } from './op-table.ts';
import { readVarints } from './pack.ts';

const ms = 1e6;
const history: Op[] = [
  { index: 0, time: 0, process: 0, type: 'invoke', f: 'write', value: 1 },
  { index: 1, time: 1 * ms, process: 'nemesis', type: 'invoke', f: 'start-partition', value: ['n1'] },
  { index: 2, time: 2 * ms, process: 1, type: 'invoke', f: 'read', value: null },
  { index: 3, time: 3 * ms, process: 0, type: 'info', f: 'write', value: 1, error: 'timeout' },
  { index: 4, time: 4 * ms, process: 'nemesis', type: 'info', f: 'start-partition', value: ['n1'] },
  { index: 5, time: 5 * ms, process: 2, type: 'invoke', f: 'write', value: 2 },
  { index: 6, time: 6 * ms, process: 1, type: 'ok', f: 'read', value: 1 },
  { index: 7, time: 7 * ms, process: 3, type: 'invoke', f: 'read', value: null },
];

describe('buildOpTable', () => {
  it('pairs invocations with completions and puts processes on their thread lanes', () => {
    const t = buildOpTable(history, 2);
    expect(t.n).toBe(5);
    expect(t.lanes).toEqual(['nemesis', 'thread 0', 'thread 1']);
    expect([...t.inv]).toEqual([0, 1, 2, 5, 7]);
    expect([...t.cmp]).toEqual([3, 4, 6, -1, -1]);
    expect([...t.lane]).toEqual([1, 0, 2, 1, 2]);
    expect([...t.type]).toEqual([TYPE_CODE.info, TYPE_CODE.info, TYPE_CODE.ok, TYPE_CODE.none, TYPE_CODE.none]);
    expect([...t.proc]).toEqual([0, -1, 1, 2, 3]);
    expect(t.fs).toEqual(['write', 'start-partition', 'read']);
    expect([...t.t0]).toEqual([0, 1, 2, 5, 7]);
    expect(Number.isNaN(t.t1[3]!)).toBe(true);
    expect(t.endMs).toBe(7);
    expect(countOps(t, history.length)).toEqual({ events: 8, ok: 1, fail: 0, info: 1, incomplete: 2, nemesis: 1, durationS: 0.007 });
  });

  it('gives each process its own lane when the concurrency is unknown', () => {
    expect(buildOpTable(history).lanes).toEqual(['nemesis', 'process 0', 'process 1', 'process 2', 'process 3']);
  });

  it('packs the columns so that they unpack to exact invocation indexes, nanosecond times and codes', () => {
    const odd = history.map((op, i) => ({ ...op, time: op.time + 123 * i }));
    const t = buildOpTable(odd, 2);
    const enc = encodeOpTable(t);
    // The whole table fits in the head: it is there unzipped, and there is no packed copy.
    expect(enc.headN).toBe(t.n);
    expect(enc.packed).toBe('');
    const gunzip = (b64: string): Uint8Array => new Uint8Array(gunzipSync(Buffer.from(b64, 'base64')));
    const unpack = (bytes: Uint8Array, names: readonly string[], n = t.n): Record<string, number[]> => {
      let pos = 0;
      const cols: Record<string, number[]> = {};
      for (const name of names) {
        const r = readVarints(bytes, n, pos);
        cols[name] = r.values;
        pos = r.end;
      }
      expect(pos).toBe(bytes.length);
      return cols;
    };
    const cols = unpack(Buffer.from(enc.head, 'base64'), PACKED_COLUMNS);
    const det = unpack(gunzip(enc.detail), PACKED_DETAIL_COLUMNS);
    const prefix = (xs: number[]): number[] => xs.map((_, i) => xs.slice(0, i + 1).reduce((a, b) => a + b, 0));
    expect(prefix(cols['invDelta']!)).toEqual([...t.inv]);
    expect(cols['cmpOffset']!.map((o, k) => (o > 0 ? t.inv[k]! + o : -1))).toEqual([...t.cmp]);
    const t0us = prefix(cols['t0DeltaUs']!);
    expect(t0us.map((u, k) => u * 1000 + Math.floor(det['subUsNs']![k]! / 1000))).toEqual([...t.inv].map((i) => odd[i]!.time));
    const t1 = cols['durationUs']!.map((d, k) => (t.cmp[k]! >= 0 ? (t0us[k]! + d) * 1000 + (det['subUsNs']![k]! % 1000) : -1));
    expect(t1).toEqual([...t.cmp].map((c) => (c >= 0 ? odd[c]!.time : -1)));
    expect(cols['lane']).toEqual([...t.lane]);
    expect(cols['typeF']).toEqual([...t.type].map((type, k) => type * 65536 + t.f[k]!));
    expect(det['proc']).toEqual([...t.proc]);

    // A head of two pairs: the same columns for those two, and every pair in the packed copy.
    const split = encodeOpTable(t, 2);
    expect(split.headN).toBe(2);
    expect(unpack(gunzip(split.packed), PACKED_COLUMNS)).toEqual(cols);
    const head = unpack(Buffer.from(split.head, 'base64'), PACKED_COLUMNS, 2);
    for (const name of PACKED_COLUMNS) expect(head[name]).toEqual(cols[name]!.slice(0, 2));
    expect(split.detail).toBe(enc.detail);
  });
});
