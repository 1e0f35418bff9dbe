/**
 * The one parser of `--opt key=value`: matches every key to the parts of this run that declare
 * it (a key may feed several parts, e.g. a workload and its checker), converts the text by the
 * option's type, fills defaults, and refuses an unknown key or a bad value with the keys valid
 * for the chosen parts and a did-you-mean. Old spellings (an option's `aliases`) still work, with
 * a deprecation line.
 */
import { UsageError } from '../core/errors.ts';
import { describeType, type OptionSchema, type OptionSpec, type OptionValues } from './schema.ts';

/** A part of a run and the options it declares. */
export interface OptionOwner<S extends OptionSchema = OptionSchema> {
  /** For messages: "db etcd", "workload register", "nemesis". */
  readonly part: string;
  /** The key prefix: "etcd" in etcd.serializable-reads. */
  readonly prefix: string;
  readonly schema: S;
}

/** Splits `key=value` flags; a flag without "=" is a usage error. */
export function splitOptionFlags(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--opt expects key=value, got ${JSON.stringify(p)}`);
    out[p.slice(0, eq)] = p.slice(eq + 1);
  }
  return out;
}

/** Parses one value by its spec; throws a UsageError naming the key. */
export function parseValue(key: string, spec: OptionSpec, text: string): unknown {
  const bad = (): never => {
    throw new UsageError(`--opt ${key}: expected ${describeType(spec)}, got ${JSON.stringify(text)}`);
  };
  switch (spec.type) {
    case 'boolean':
      if (text === 'true' || text === '1') return true;
      if (text === 'false' || text === '0') return false;
      return bad();
    case 'number': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) return bad();
      if (spec.integer && !Number.isInteger(n)) return bad();
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) return bad();
      return n;
    }
    case 'string':
      if (spec.pattern && !new RegExp(`^(?:${spec.pattern.source})$`, spec.pattern.flags).test(text)) return bad();
      return text;
    case 'enum':
      return spec.values.includes(text) ? text : bad();
    case 'list': {
      const items = text.split(',').map((s) => s.trim()).filter(Boolean);
      if (items.length === 0) return bad();
      if (spec.values) for (const item of items) if (!spec.values.includes(item)) return bad();
      return items;
    }
  }
}

/** Every full key a set of owners accepts, with its owner and option name. */
function keyTable(owners: readonly OptionOwner[]): Map<string, { owner: OptionOwner; name: string; canonical: string }[]> {
  const table = new Map<string, { owner: OptionOwner; name: string; canonical: string }[]>();
  const add = (key: string, entry: { owner: OptionOwner; name: string; canonical: string }): void => {
    const list = table.get(key) ?? [];
    list.push(entry);
    table.set(key, list);
  };
  for (const owner of owners) {
    for (const [name, spec] of Object.entries(owner.schema)) {
      const canonical = `${owner.prefix}.${name}`;
      add(canonical, { owner, name, canonical });
      for (const alias of spec.aliases ?? []) if (alias !== canonical) add(alias, { owner, name, canonical });
    }
  }
  return table;
}

/** Edit distance, for did-you-mean. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function sharedStart(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The closest known names to `wanted`, best first (at most three). */
export function didYouMean(wanted: string, known: readonly string[]): string[] {
  const tail = (k: string): string => k.slice(k.indexOf('.') + 1);
  const scored = known
    .map((k) => ({ k, d: Math.min(distance(wanted, k), distance(tail(wanted), tail(k)) + 1) }))
    .filter(({ k, d }) => d <= Math.max(2, Math.floor(wanted.length / 4)) || k.endsWith(`.${wanted}`) || tail(k) === tail(wanted) || sharedStart(tail(k), tail(wanted)) >= 3);
  return scored.sort((x, y) => x.d - y.d || x.k.localeCompare(y.k)).slice(0, 3).map((s) => s.k);
}

export interface ParsedOptions {
  /** The typed values of one owner (defaults filled in). */
  valuesOf<S extends OptionSchema>(owner: OptionOwner<S>): OptionValues<S>;
  /** The given options under their canonical keys, as text: what test.json and replays record. */
  canonical: Record<string, string>;
}

/**
 * Parses `raw` (key -> text) for the owners. Unknown keys and bad values throw a UsageError;
 * each deprecated spelling used is reported through `warn` once.
 */
export function parseOptions(raw: Readonly<Record<string, string>>, owners: readonly OptionOwner[], warn: (line: string) => void = () => {}): ParsedOptions {
  const table = keyTable(owners);
  const values = new Map<OptionOwner, Record<string, unknown>>();
  for (const owner of owners) {
    const v: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(owner.schema)) v[name] = spec.default;
    values.set(owner, v);
  }
  const canonical: Record<string, string> = {};
  for (const [key, text] of Object.entries(raw)) {
    const targets = table.get(key);
    if (!targets) {
      const known = [...new Set([...table.values()].flat().map((t) => t.canonical))].sort();
      const near = didYouMean(key, known);
      const hint = near.length ? ` Did you mean ${near.map((k) => `--opt ${k}`).join(' or ')}?` : '';
      const valid = known.length ? ` Valid keys for this run: ${known.join(', ')}.` : ' No part of this run takes options.';
      throw new UsageError(`unknown option --opt ${key}.${hint}${valid}`);
    }
    const canonicalKeys = [...new Set(targets.map((t) => t.canonical))];
    if (canonicalKeys.length > 1) {
      throw new UsageError(`--opt ${key} is ambiguous here: say which with ${canonicalKeys.map((k) => `--opt ${k}`).join(' or ')}`);
    }
    const canonicalKey = canonicalKeys[0]!;
    if (canonicalKey !== key) warn(`--opt ${key} is deprecated; use --opt ${canonicalKey}`);
    if (canonicalKey in canonical && canonical[canonicalKey] !== text) {
      throw new UsageError(`--opt ${canonicalKey} is given twice with different values (${JSON.stringify(canonical[canonicalKey])} and ${JSON.stringify(text)})`);
    }
    canonical[canonicalKey] = text;
    for (const t of targets) values.get(t.owner)![t.name] = parseValue(canonicalKey, t.owner.schema[t.name]!, text);
  }
  return {
    valuesOf<S extends OptionSchema>(o: OptionOwner<S>): OptionValues<S> {
      const v = values.get(o);
      if (!v) throw new Error(`parseOptions: ${o.part} was not among the owners`);
      // Every value was produced by parseValue from the owner's own spec, or is its default.
      return v as OptionValues<S>;
    },
    canonical,
  };
}

/** Parses the options of one owner alone (library use, `faultline check` with one checker). */
export function parseOwnOptions<S extends OptionSchema>(raw: Readonly<Record<string, string>>, owner: OptionOwner<S>, warn?: (line: string) => void): OptionValues<S> {
  return parseOptions(raw, [owner], warn).valuesOf(owner);
}

/**
 * Typed values for a schema from values given in code (a library user's Test): defaults filled
 * in, unknown names and values of the wrong type refused, as the command line would.
 */
export function optionValues<S extends OptionSchema>(part: string, schema: S, given: Partial<Record<keyof S & string, unknown>> = {}): OptionValues<S> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) out[name] = spec.default;
  for (const [name, value] of Object.entries(given)) {
    const spec = schema[name];
    if (!spec) {
      const near = didYouMean(name, Object.keys(schema));
      throw new UsageError(`${part}: unknown option ${JSON.stringify(name)}${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}; known: ${Object.keys(schema).join(', ') || 'none'}`);
    }
    if (value === undefined) continue;
    out[name] = typeof value === 'string' ? parseValue(`${part} ${name}`, spec, value) : checkTyped(`${part} ${name}`, spec, value);
  }
  return out as OptionValues<S>;
}

function checkTyped(key: string, spec: OptionSpec, value: unknown): unknown {
  const ok =
    (spec.type === 'boolean' && typeof value === 'boolean') ||
    (spec.type === 'number' && typeof value === 'number') ||
    (spec.type === 'list' && Array.isArray(value));
  return ok ? parseValue(key, spec, Array.isArray(value) ? value.join(',') : String(value)) : parseValue(key, spec, String(value));
}
