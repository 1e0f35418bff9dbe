/**
 * The copy of a value a JSON round trip gives (what a message is after the real transport
 * serialized and parsed it), made directly for plain data: about ten times cheaper than
 * `JSON.parse(JSON.stringify(x))` on the small messages nodes exchange, which matters when a
 * simulation delivers millions of them. Anything but plain objects, arrays and primitives
 * (a Date, a class instance, anything with toJSON) takes the JSON round trip itself.
 */
export function jsonCopy(x: unknown): unknown {
  switch (typeof x) {
    case 'string':
    case 'boolean':
      return x;
    case 'number':
      // JSON has no NaN, Infinity or -0.
      return Number.isFinite(x) ? (x === 0 ? 0 : x) : null;
    case 'object':
      break;
    default:
      // undefined, functions and symbols vanish from objects and become null in arrays (the
      // callers handle that); a bigint makes JSON throw, as the real transport would.
      return JSON.parse(JSON.stringify(x) ?? 'null');
  }
  if (x === null) return null;
  if (Array.isArray(x)) {
    const n = x.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const v: unknown = x[i];
      // Strings, booleans and finite numbers (most of a message) are copied here, not by a call.
      const t = typeof v;
      out[i] = t === 'string' || t === 'boolean' || (t === 'number' && v !== 0 && Number.isFinite(v)) ? v : v === undefined || t === 'function' || t === 'symbol' ? null : jsonCopy(v);
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(x);
  if ((proto !== Object.prototype && proto !== null) || typeof (x as { toJSON?: unknown }).toJSON === 'function') {
    return JSON.parse(JSON.stringify(x));
  }
  // for-in sees only own keys here: a plain object inherits nothing enumerable.
  const out: Record<string, unknown> = {};
  for (const key in x) {
    const v = (x as Record<string, unknown>)[key];
    const t = typeof v;
    if (v === undefined || t === 'function' || t === 'symbol') continue;
    const copy = t === 'string' || t === 'boolean' || (t === 'number' && v !== 0 && Number.isFinite(v)) ? v : jsonCopy(v);
    // Assigning "__proto__" would set the prototype; JSON.parse makes it an own property.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copy, enumerable: true, writable: true, configurable: true });
    else out[key] = copy;
  }
  return out;
}

/** `jsonCopy` of a value whose type is JSON data (a request, a reply): the copy has the same type. */
export function jsonCopyOf<T>(x: T): T {
  return jsonCopy(x) as T;
}
