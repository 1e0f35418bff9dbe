/**
 * Reads one file out of a zip archive held in memory (official Consul releases are zips holding a
 * single `consul` binary), so neither the controller nor the nodes need `unzip`. Handles stored
 * and deflated entries through the central directory; no zip64, encryption or multi-disk
 * archives (releases use none of them).
 */
import { inflateRawSync } from 'node:zlib';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function isZip(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === LOCAL;
}

interface Entry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function centralDirectory(zip: Buffer): Entry[] {
  // The end-of-central-directory record is in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('no zip end-of-central-directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL) throw new Error('broken zip central directory');
    const nameLength = zip.readUInt16LE(at + 28);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localOffset: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

/** The names of the archive's entries. */
export function zipNames(zip: Buffer): string[] {
  return centralDirectory(zip).map((e) => e.name);
}

/** The contents of the entry called `name`, or undefined when there is none. Throws on a broken archive. */
export function zipEntry(zip: Buffer, name: string): Buffer | undefined {
  const e = centralDirectory(zip).find((x) => x.name === name);
  if (!e) return undefined;
  if (zip.readUInt32LE(e.localOffset) !== LOCAL) throw new Error(`broken zip local header for ${name}`);
  const start = e.localOffset + 30 + zip.readUInt16LE(e.localOffset + 26) + zip.readUInt16LE(e.localOffset + 28);
  const data = zip.subarray(start, start + e.compressedSize);
  let out: Buffer;
  if (e.method === 0) out = Buffer.from(data);
  else if (e.method === 8) out = inflateRawSync(data);
  else throw new Error(`zip entry ${name} uses compression method ${e.method}; only stored and deflate are supported`);
  if (out.length !== e.size) throw new Error(`zip entry ${name} is ${out.length} bytes, the directory says ${e.size}`);
  return out;
}
