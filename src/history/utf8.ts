/**
 * UTF-8 validation of history bytes. Bytes that are not UTF-8 would otherwise decode to
 * replacement characters, which silently turns one value into another (or hides a bad byte in a
 * comment), so every reader refuses them with the file, line and byte of the first bad sequence.
 */
import { isUtf8 } from 'node:buffer';
import { InputError } from '../core/errors.ts';

/** Bytes a sequence with this lead byte needs after it, and the range its first continuation byte must be in. */
function sequence(lead: number): { more: number; lo: number; hi: number } | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return { more: 1, lo: 0x80, hi: 0xbf };
  if (lead === 0xe0) return { more: 2, lo: 0xa0, hi: 0xbf }; // no overlong forms
  if (lead === 0xed) return { more: 2, lo: 0x80, hi: 0x9f }; // no surrogates
  if (lead >= 0xe1 && lead <= 0xef) return { more: 2, lo: 0x80, hi: 0xbf };
  if (lead === 0xf0) return { more: 3, lo: 0x90, hi: 0xbf }; // no overlong forms
  if (lead === 0xf4) return { more: 3, lo: 0x80, hi: 0x8f }; // nothing above U+10FFFF
  if (lead >= 0xf1 && lead <= 0xf3) return { more: 3, lo: 0x80, hi: 0xbf };
  return undefined;
}

/** The offset of the first byte of the first sequence that is not valid UTF-8, or -1 when all of it is. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const s = sequence(lead);
    if (!s || i + s.more >= bytes.length) return i;
    const first = bytes[i + 1]!;
    if (first < s.lo || first > s.hi) return i;
    for (let j = 2; j <= s.more; j++) {
      const c = bytes[i + j]!;
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += 1 + s.more;
  }
  return -1;
}

/**
 * How many bytes at the end of `bytes` start a multi-byte sequence that the end cuts short (0 to
 * 3): what a write torn mid-character leaves.
 */
export function cutUtf8Tail(bytes: Uint8Array): number {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const b = bytes[bytes.length - back]!;
    if (b < 0x80) return 0;
    if (b >= 0xc0) {
      const s = sequence(b);
      return s && s.more >= back ? back : 0;
    }
  }
  return 0;
}

/** The bytes of the bad sequence at `at`, up to the first one that breaks it, in hex. */
function hexBytes(bytes: Uint8Array, at: number): string {
  const s = sequence(bytes[at]!);
  let end = at + 1;
  if (s) {
    for (let j = 1; j <= s.more && at + j < bytes.length; j++) {
      end++;
      const c = bytes[at + j]!;
      if (j === 1 ? c < s.lo || c > s.hi : c < 0x80 || c > 0xbf) break;
    }
  }
  return Array.from(bytes.subarray(at, end), (b) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`).join(' ');
}

/**
 * Throws an InputError naming the file, line and byte (1-based, within the line) of the first
 * sequence in `bytes` that is not UTF-8. `bytes` must start at the beginning of line `firstLine`.
 */
export function assertUtf8(bytes: Uint8Array, file: string | undefined, firstLine = 1): void {
  if (isUtf8(bytes)) return;
  const at = firstInvalidUtf8(bytes);
  if (at < 0) return;
  let line = firstLine;
  for (let i = bytes.indexOf(10); i !== -1 && i < at; i = bytes.indexOf(10, i + 1)) line++;
  const lineStart = at === 0 ? 0 : bytes.lastIndexOf(10, at - 1) + 1;
  const where = file === undefined ? { line } : { file, line };
  const unnamed = file === undefined ? `line ${line}, ` : '';
  throw new InputError(`${unnamed}byte ${at - lineStart + 1}: not valid UTF-8 (${hexBytes(bytes, at)}); a history must be UTF-8 text`, where);
}

/** Decodes UTF-8 bytes, refusing invalid ones as `assertUtf8` does; a leading byte-order mark is dropped. */
export function decodeUtf8(bytes: Uint8Array, file?: string): string {
  assertUtf8(bytes, file);
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return Buffer.from(bytes.buffer, bytes.byteOffset + bom, bytes.byteLength - bom).toString('utf8');
}
