// Frame encoding round-trips under any chunking, and bad frames are rejected.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, FrameError, MAX_FRAME_BYTES } from './framing.ts';

describe('length-prefixed JSON frames', () => {
  it('decodes what was encoded, however the bytes are split', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }), (values, cuts) => {
        const bytes = Buffer.concat(values.map(encodeFrame));
        const decoder = new FrameDecoder();
        const got: unknown[] = [];
        let pos = 0;
        for (let i = 0; pos < bytes.length; i++) {
          const len = cuts[i % cuts.length]!;
          got.push(...decoder.push(bytes.subarray(pos, pos + len)));
          pos += len;
        }
        expect(got).toEqual(values.map(v => JSON.parse(JSON.stringify(v))));
      }),
    );
  });

  it('rejects an oversized length and a non-JSON body', () => {
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(MAX_FRAME_BYTES + 1, 0);
    expect(() => new FrameDecoder().push(huge)).toThrow(FrameError);
    const bad = Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from('{{{')]);
    expect(() => new FrameDecoder().push(bad)).toThrow(/not valid JSON/);
  });
});
