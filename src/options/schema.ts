/**
 * Option schemas: every part (DB, workload, nemesis, provider, checker) declares the options it
 * reads, each with a type, an optional default and a one-line doc. One parser
 * (src/options/parse.ts) turns `--opt key=value` strings into typed values for all of them, and
 * `faultline list` / `--help` are generated from the same schemas.
 *
 * Keys on the command line are prefixed by the part: `--opt etcd.serializable-reads=true`,
 * `--opt register.read-ratio=0.8`, `--opt nemesis.targets=majority`. A part declares its options
 * without the prefix.
 *
 * @example
 * const options = {
 *   port: opt.integer({ doc: 'client port', default: 6379, min: 1, max: 65535 }),
 *   'read-mode': opt.enum(['primary', 'any'] as const, { doc: 'where reads go', default: 'primary' }),
 *   password: opt.string({ doc: 'AUTH password' }),            // no default: string | undefined
 * } satisfies OptionSchema;
 * // OptionValues<typeof options> = { port: number; 'read-mode': 'primary' | 'any'; password: string | undefined }
 */

interface SpecBase<T> {
  /** One line for `faultline list` and `--help`. */
  readonly doc: string;
  readonly default?: T;
  /** Old spellings of the whole key (e.g. "read-ratio" for register.read-ratio): accepted with a deprecation line. */
  readonly aliases?: readonly string[];
}

export interface BooleanSpec extends SpecBase<boolean> {
  readonly type: 'boolean';
}

export interface NumberSpec extends SpecBase<number> {
  readonly type: 'number';
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
}

export interface StringSpec extends SpecBase<string> {
  readonly type: 'string';
  /** A value must match this (whole value). */
  readonly pattern?: RegExp;
  /** What a value looks like, for messages and docs: "a path", "host:port". */
  readonly shape?: string;
}

export interface EnumSpec<V extends string = string> extends SpecBase<V> {
  readonly type: 'enum';
  readonly values: readonly V[];
}

export interface ListSpec<V extends string = string> extends SpecBase<readonly V[]> {
  readonly type: 'list';
  /** Allowed items; any non-empty item when absent. */
  readonly values?: readonly V[];
}

export type OptionSpec = BooleanSpec | NumberSpec | StringSpec | EnumSpec | ListSpec;

/** A part's options by name (without the part's prefix). */
export type OptionSchema = Readonly<Record<string, OptionSpec>>;

type ValueOf<S> = S extends BooleanSpec
  ? boolean
  : S extends NumberSpec
    ? number
    : S extends EnumSpec<infer V>
      ? V
      : S extends ListSpec<infer V>
        ? readonly V[]
        : S extends StringSpec
          ? string
          : never;

/** The parsed options of a schema: options with a default are always there, the others may be undefined. */
export type OptionValues<S extends OptionSchema> = {
  readonly [K in keyof S]: S[K] extends { default: unknown } ? ValueOf<S[K]> : ValueOf<S[K]> | undefined;
};

type Extra<S, T> = Omit<S, 'type' | 'doc' | 'default' | 'values'> & { doc: string; default?: T };

/** Builders for option specs; each keeps the default in the type, so parsed values are typed exactly. */
export const opt = {
  boolean<const O extends Extra<BooleanSpec, boolean>>(o: O): O & { type: 'boolean' } {
    return { ...o, type: 'boolean' };
  },
  number<const O extends Extra<NumberSpec, number>>(o: O): O & { type: 'number' } {
    return { ...o, type: 'number' };
  },
  /** A whole number. */
  integer<const O extends Extra<NumberSpec, number>>(o: O): O & { type: 'number'; integer: true } {
    return { ...o, type: 'number', integer: true };
  },
  string<const O extends Extra<StringSpec, string>>(o: O): O & { type: 'string' } {
    return { ...o, type: 'string' };
  },
  enum<const V extends string, const O extends Extra<EnumSpec<V>, NoInfer<V>>>(values: readonly V[], o: O): O & { type: 'enum'; values: readonly V[] } {
    return { ...o, type: 'enum', values };
  },
  /** A comma-separated list. */
  list<const V extends string = string, const O extends Extra<ListSpec<V>, readonly NoInfer<V>[]> = Extra<ListSpec<V>, readonly V[]>>(o: O & { values?: readonly V[] }): O & { type: 'list'; values?: readonly V[] } {
    return { ...o, type: 'list' };
  },
};

/** What a value of the spec looks like, for messages and docs. */
export function describeType(spec: OptionSpec): string {
  switch (spec.type) {
    case 'boolean':
      return 'true | false';
    case 'number': {
      const kind = spec.integer ? 'an integer' : 'a number';
      if (spec.min !== undefined && spec.max !== undefined) return `${kind} in [${spec.min}, ${spec.max}]`;
      if (spec.min !== undefined) return `${kind} >= ${spec.min}`;
      if (spec.max !== undefined) return `${kind} <= ${spec.max}`;
      return kind;
    }
    case 'string':
      return spec.shape ?? 'text';
    case 'enum':
      return spec.values.join(' | ');
    case 'list':
      return spec.values ? `comma-separated of ${spec.values.join(', ')}` : 'a comma-separated list';
  }
}

/** The default as text ("none" when there is none). */
export function describeDefault(spec: OptionSpec): string {
  if (spec.default === undefined) return 'none';
  return Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
}
