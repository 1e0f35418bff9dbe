/**
 * Length-prefixed JSON frames for node-to-node traffic: a 4-byte big-endian byte length, then
 * that many bytes of UTF-8 JSON. The decoder accepts arbitrary chunking and rejects oversized or
 * malformed frames.
 */

export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export function encodeFrame(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

export class FrameError extends Error {}

export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns every frame completed by them. Throws FrameError on a bad frame. */
  push(chunk: Buffer): unknown[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const out: unknown[] = [];
    let offset = 0;
    while (this.buffered.length - offset >= 4) {
      const len = this.buffered.readUInt32BE(offset);
      if (len > MAX_FRAME_BYTES) throw new FrameError(`frame of ${len} bytes exceeds ${MAX_FRAME_BYTES}`);
      if (this.buffered.length - offset - 4 < len) break;
      const text = this.buffered.toString('utf8', offset + 4, offset + 4 + len);
      offset += 4 + len;
      try {
        out.push(JSON.parse(text));
      } catch {
        throw new FrameError('frame is not valid JSON');
      }
    }
    this.buffered = offset === this.buffered.length ? Buffer.alloc(0) : this.buffered.subarray(offset);
    return out;
  }
}
