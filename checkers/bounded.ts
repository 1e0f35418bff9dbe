/**
 * Bounds what checkers put in results.json: a huge op value copied into evidence (a 50 MB write,
 * a read of a million-element set) must not make results.json, junit.xml or the report huge.
 * Long strings are cut with a marker saying how long they were; long arrays keep their head and
 * tail with a marker in between (the tail of a partial linearization is what matters); objects
 * with very many keys keep the first ones. The full ops stay in history.jsonl.
 */

export interface EvidenceLimits {
  /** Longest string kept whole, marker included (default 2000). */
  maxString: number;
  /** Most array items kept: half from the head, half from the tail (default 2000). */
  maxItems: number;
  /** Most object keys kept (default 2000). */
  maxKeys: number;
  /** Deepest nesting kept (default 32). */
  maxDepth: number;
}

export const DEFAULT_EVIDENCE_LIMITS: EvidenceLimits = { maxString: 2000, maxItems: 2000, maxKeys: 2000, maxDepth: 32 };

/** Above this many characters of JSON, a result is bounded again with tighter limits. */
const MAX_RESULT_CHARS = 16_000_000;

/** The key under which an object's left-out keys are counted. */
export const LEFT_OUT_KEY = '…';

/** `s` cut to at most `max` characters, ending in a marker with the original length. */
export function cutString(s: string, max: number): string {
  if (s.length <= max) return s;
  const marker = `…[truncated: ${s.length} chars]`;
  return s.slice(0, Math.max(0, max - marker.length)) + marker;
}

function bound(v: unknown, l: EvidenceLimits, depth: number): unknown {
  if (typeof v === 'string') return cutString(v, l.maxString);
  if (v === null || typeof v !== 'object') return v;
  if (depth >= l.maxDepth) return `…[nested deeper than ${l.maxDepth} levels: left out]`;
  if (Array.isArray(v)) {
    if (v.length <= l.maxItems) return v.map((x) => bound(x, l, depth + 1));
    // Head, marker and tail make exactly maxItems items, so a bounded array stays as it is.
    const headN = Math.floor((l.maxItems - 1) / 2);
    const tailN = l.maxItems - 1 - headN;
    const head = v.slice(0, headN).map((x) => bound(x, l, depth + 1));
    const tail = v.slice(v.length - tailN).map((x) => bound(x, l, depth + 1));
    return [...head, `…[${v.length - headN - tailN} of ${v.length} items left out]…`, ...tail];
  }
  const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined);
  // Kept keys and the marker key make exactly maxKeys keys.
  const keep = keys.length <= l.maxKeys ? keys : keys.slice(0, l.maxKeys - 1);
  const out: Record<string, unknown> = {};
  for (const k of keep) out[k] = bound((v as Record<string, unknown>)[k], l, depth + 1);
  if (keep.length < keys.length) out[LEFT_OUT_KEY] = `${keys.length - keep.length} of ${keys.length} keys left out`;
  return out;
}

/**
 * A copy of a checker result (or any JSON value) within the limits; values within them are
 * unchanged, so bounding twice changes nothing. If the bounded result is still over 16 M
 * characters of JSON (very many medium values), the limits are quartered until it fits.
 * Example: `boundEvidence({ valid: false, value: 'x'.repeat(1e8) }).value` is 2000 characters
 * ending in `…[truncated: 100000000 chars]`.
 */
export function boundEvidence<T>(value: T, limits: Partial<EvidenceLimits> = {}): T {
  let l: EvidenceLimits = { ...DEFAULT_EVIDENCE_LIMITS, ...limits };
  for (;;) {
    const out = bound(value, l, 0);
    const small = l.maxString <= 64 && l.maxItems <= 8 && l.maxKeys <= 8;
    if (small || (JSON.stringify(out)?.length ?? 0) <= MAX_RESULT_CHARS) return out as T;
    l = { maxString: Math.max(64, l.maxString >> 2), maxItems: Math.max(8, l.maxItems >> 2), maxKeys: Math.max(8, l.maxKeys >> 2), maxDepth: l.maxDepth };
  }
}
