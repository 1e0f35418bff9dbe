/**
 * Maps a URL path to a file under the results directory, refusing anything that could reach
 * outside it: `..` or `.` segments (plain or percent-encoded), encoded slashes or backslashes,
 * NUL bytes, malformed encodings, and symbolic links whose target lies outside the directory.
 */
import { realpathSync } from 'node:fs';
import { join, sep } from 'node:path';

export type SafePath = { ok: true; path: string; segments: string[] } | { ok: false; status: 400 | 403 | 404; reason: string };

/** Decodes the segments of a raw URL path (the part after a route prefix, without the query). */
function decodeSegments(rawPath: string): string[] | { status: 400 | 403; reason: string } {
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return { status: 400, reason: 'malformed percent-encoding' };
    }
    if (seg === '.' || seg === '..') return { status: 403, reason: 'dot segments are not allowed' };
    if (/[/\\\0]/.test(seg)) return { status: 403, reason: 'encoded separators are not allowed' };
    segments.push(seg);
  }
  return segments;
}

/** True when `path` is `root` or lies below it (both real, absolute paths). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Resolves a raw URL path under `realRoot` (already a realpath); follows symlinks, then checks again. */
export function resolveUnder(realRoot: string, rawPath: string): SafePath {
  const segments = decodeSegments(rawPath);
  if (!Array.isArray(segments)) return { ok: false, ...segments };
  const joined = join(realRoot, ...segments);
  if (!isInside(realRoot, joined)) return { ok: false, status: 403, reason: 'outside the results directory' };
  let real: string;
  try {
    real = realpathSync(joined);
  } catch {
    return { ok: false, status: 404, reason: 'not found' };
  }
  if (!isInside(realRoot, real)) return { ok: false, status: 403, reason: 'links outside the results directory' };
  return { ok: true, path: real, segments };
}
