// Varint packing round-trips every safe integer, negative or not, and gzip+base64 inflates back.
import fc from 'fast-check';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_PACKED, packBase64, readVarints, VarintWriter } from './pack.ts';

describe('varint packing', () => {
  it('round-trips any sequence of safe integers', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer(), fc.integer({ min: -MAX_PACKED, max: MAX_PACKED }), fc.constantFrom(MAX_PACKED, -MAX_PACKED), fc.integer({ min: -200, max: 200 }))), (xs) => {
        const w = new VarintWriter();
        for (const x of xs) w.int(x);
        const { values, end } = readVarints(w.bytes(), xs.length);
        expect(values).toEqual(xs.map((x) => (Object.is(x, -0) ? 0 : x)));
        expect(end).toBe(w.bytes().length);
      }),
    );
  });

  it('refuses integers it cannot round-trip', () => {
    expect(() => new VarintWriter().int(MAX_PACKED + 2)).toThrow(/within ±2\^52/);
    expect(() => new VarintWriter().int(Number.NaN)).toThrow(/within ±2\^52/);
  });

  it('uses one byte for small magnitudes', () => {
    const w = new VarintWriter();
    for (const x of [0, 1, -1, 63, -64]) w.int(x);
    expect(w.bytes().length).toBe(5);
  });

  it('gzips and base64-encodes bytes and text', () => {
    expect(gunzipSync(Buffer.from(packBase64('héllo', 1), 'base64')).toString('utf8')).toBe('héllo');
    expect([...gunzipSync(Buffer.from(packBase64(new Uint8Array([1, 2, 255]), 6), 'base64'))]).toEqual([1, 2, 255]);
  });
});
