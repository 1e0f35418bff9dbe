/**
 * Escaping for text placed in HTML: element content and attribute values, and JSON or script
 * source embedded in a <script> element (which must never contain a closing tag).
 */

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

/** A value shown in one line: strings as they are, the rest as compact JSON, cut at `max` chars. */
export function showValue(v: unknown, max = 200): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (v === undefined) s = '';
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
