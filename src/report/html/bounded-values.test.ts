// Values in the report at a bounded cost and size: jsonUpTo agrees with JSON.stringify up to its
// limit, one-line previews stay short, and the op details cut huge values with a marker.
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HistoryBuilder } from '../../inprocess/history-builder.ts';
import { eventDetails, MAX_VALUE_CHARS } from './event-details.ts';
import { jsonUpTo, showValue } from './escape.ts';

const unpack = (b64: string): unknown => JSON.parse(gunzipSync(Buffer.from(b64, 'base64')).toString('utf8'));

describe('bounded values', () => {
  it('property: jsonUpTo is JSON.stringify when that fits in max, else undefined', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.integer({ min: 0, max: 300 }), (v, max) => {
        const full = JSON.stringify(v);
        expect(jsonUpTo(v, max)).toBe(full.length <= max ? full : undefined);
      }),
      { numRuns: 1000 },
    );
  });

  it('previews a huge value in one short line', () => {
    const big = { items: Array.from({ length: 200_000 }, (_, i) => i), name: 'n'.repeat(1_000_000) };
    const line = showValue(big, 80);
    expect(line.length).toBeLessThanOrEqual(80);
    expect(line.startsWith('{"items":[0,1,2')).toBe(true);
    expect(showValue('s'.repeat(1_000_000), 10)).toBe('sssssssss…');
  });

  it('cuts huge values in the op details and says how long a cut string was', () => {
    const h = new HistoryBuilder()
      .op(0, 'write', 's'.repeat(3_000_000))
      .op(0, 'write', Array.from({ length: 100_000 }, (_, i) => i))
      .op(0, 'write', { small: [1, 2] })
      .build();
    const values = unpack(eventDetails(h).values) as unknown[];
    expect(values[0]).toMatch(/…\[truncated: 3000000 chars\]$/);
    expect((values[0] as string).length).toBe(MAX_VALUE_CHARS);
    expect(values[2]).toContain('…[99961 of 100000 items left out]…');
    expect(values[4]).toEqual({ small: [1, 2] });
    for (const v of values) expect(JSON.stringify(v).length).toBeLessThanOrEqual(MAX_VALUE_CHARS + 2);
  });
});
