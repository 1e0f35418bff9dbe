/**
 * Compact binary columns for the data embedded in report.html: integers as zigzag LEB128 varints
 * (deltas where a column grows), gzip-compressed and base64-encoded. The browser inflates them
 * with DecompressionStream, so a million ops fit in a few megabytes of HTML.
 */
import { gzipSync } from 'node:zlib';
import { InputError } from '../../core/errors.ts';

export const MAX_PACKED = 2 ** 52;

export class VarintWriter {
  private buf = new Uint8Array(1 << 16);
  private len = 0;

  /** Appends an integer with |v| <= 2^52 (zigzag doubles it; larger ones would lose precision). */
  int(v: number): void {
    if (!(Math.abs(v) <= MAX_PACKED)) throw new InputError(`cannot pack ${v} for the report: integers (times in ns, indexes) must lie within ±2^52`);
    let z = v >= 0 ? 2 * v : -2 * v - 1;
    if (this.len + 10 > this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    if (z < 0x80000000) {
      // Fast path: small integers with 32-bit operations.
      while (z >= 128) {
        this.buf[this.len++] = (z & 127) | 128;
        z >>>= 7;
      }
      this.buf[this.len++] = z;
      return;
    }
    while (z >= 128) {
      this.buf[this.len++] = (z % 128) | 128;
      z = Math.floor(z / 128);
    }
    this.buf[this.len++] = z;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/** Reads what VarintWriter wrote (used by tests; the browser has its own copy of this loop). */
export function readVarints(bytes: Uint8Array, count: number, from = 0): { values: number[]; end: number } {
  const values: number[] = [];
  let pos = from;
  for (let i = 0; i < count; i++) {
    let z = 0;
    let mul = 1;
    let b: number;
    do {
      b = bytes[pos++]!;
      z += (b & 127) * mul;
      mul *= 128;
    } while (b & 128);
    values.push(z % 2 === 0 ? z / 2 : -(z + 1) / 2);
  }
  return { values, end: pos };
}

/** gzip + base64 of bytes or text; `level` trades Node time for report size (1 fastest, 9 smallest). */
export function packBase64(data: Uint8Array | string, level: number): string {
  return gzipSync(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, { level }).toString('base64');
}
