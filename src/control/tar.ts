/**
 * The smallest tar support the docker Remote needs: pack one regular file into a ustar archive
 * (for the engine's putArchive) and take the first regular file out of an archive (from
 * getArchive), skipping PAX / GNU metadata entries. Pure: buffers in, buffers out.
 */

const BLOCK = 512;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** A ustar archive holding one file `name` (a bare file name) with `data` and `mode`. */
export function packFile(name: string, data: Buffer, mode = 0o644): Buffer {
  if (name.length === 0 || name.length > 100 || name.includes('/')) throw new Error(`tar: file name must be 1-100 characters without "/": ${JSON.stringify(name)}`);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 'utf8');
  h.write(octal(mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(data.length, 12), 124, 'ascii');
  h.write(octal(Math.floor(Date.now() / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\0' + '00', 257, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  const pad = Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK);
  return Buffer.concat([h, data, pad, Buffer.alloc(2 * BLOCK)]);
}

/** The contents of the first regular file in a tar archive; throws when there is none. */
export function unpackFirstFile(archive: Buffer): Buffer {
  let off = 0;
  while (off + BLOCK <= archive.length) {
    const h = archive.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    const size = parseInt(h.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(h[156] ?? 0);
    const start = off + BLOCK;
    if (type === '0' || type === '\0') {
      if (start + size > archive.length) throw new Error('tar: archive ends inside a file');
      return Buffer.from(archive.subarray(start, start + size));
    }
    off = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new Error('tar: no regular file in the archive');
}
