/**
 * Escaping for text placed in HTML: element content and attribute values, and JSON or script
 * source embedded in a <script> element (which must never contain a closing tag); values shown
 * in one line, at a cost bounded by what is shown, however big the value.
 */
import { boundEvidence } from '../../../checkers/bounded.ts';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** JSON text safe inside <script type="application/json">: `<` only occurs in strings, so \u003c keeps it valid. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** Script source safe inside <script>: breaks every `</script` (case-insensitive) apart. */
export function scriptForHtml(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}

/**
 * The JSON of `v` if it has at most `max` characters, else undefined; stops as soon as the text
 * grows past `max`, so a huge value costs no more than a small one.
 */
export function jsonUpTo(v: unknown, max: number): string | undefined {
  let used = 0;
  const fits = (n: number): boolean => (used += n) <= max;
  const walk = (x: unknown): string | undefined => {
    if (typeof x === 'string' && x.length + 2 > max - used) return undefined;
    if (x === null || typeof x !== 'object') {
      const t = JSON.stringify(x) ?? 'null';
      return fits(t.length) ? t : undefined;
    }
    const parts: string[] = [];
    if (Array.isArray(x)) {
      if (!fits(2)) return undefined;
      for (const item of x) {
        const t = item === undefined || typeof item === 'function' ? 'null' : walk(item);
        if (t === undefined || !fits(parts.length ? 1 : 0)) return undefined;
        parts.push(t);
      }
      return `[${parts.join(',')}]`;
    }
    if (!fits(2)) return undefined;
    for (const [k, item] of Object.entries(x)) {
      if (item === undefined || typeof item === 'function') continue;
      const key = walk(k);
      const t = key === undefined ? undefined : walk(item);
      if (t === undefined || !fits(parts.length ? 2 : 1)) return undefined;
      parts.push(`${key}:${t}`);
    }
    return `{${parts.join(',')}}`;
  };
  try {
    return walk(v);
  } catch {
    return undefined;
  }
}

/** A value shown in one line: strings as they are, the rest as compact JSON, cut at `max` chars. */
export function showValue(v: unknown, max = 200): string {
  let s: string;
  if (typeof v === 'string') s = v.length > max ? v.slice(0, max + 1) : v;
  else if (v === undefined) s = '';
  else s = jsonUpTo(v, max) ?? JSON.stringify(boundEvidence(v, { maxString: max, maxItems: 20, maxKeys: 20, maxDepth: 4 })) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
