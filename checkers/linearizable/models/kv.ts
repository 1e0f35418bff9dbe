/**
 * A key-value store of strings with get / put / append (Porcupine's kv model). Op values are
 * `[key, value]` tuples (Jepsen `independent` style); a key starts as `init` (default "").
 * get must return the current string, put replaces it, append concatenates. The `kv` model is
 * partitioned by key (each key checked on its own); `kv-unpartitioned` checks all keys together.
 *
 * Values grow with every append, so hashing them to intern states would cost O(length) per
 * step. Instead each value carries a derivation id: a put of v always gives the id of "put v",
 * an append gives the id of (previous id, appended text). Equal ids mean equal strings; two
 * equal strings reached in different ways may get different ids, which only costs some
 * memoization, never soundness.
 */
import { inconsistent, type Inconsistent, type Model, type ModelOp, type RawModelOp } from '../model.ts';
import { finish, mix } from '../memo.ts';
import { observed, show, unknownOp } from './values.ts';

const FS = new Set(['get', 'put', 'append']);

function tuple(op: RawModelOp, value: unknown): [string, unknown] {
  if (!Array.isArray(value) || value.length !== 2) throw unknownOp('kv', op, 'kv op value must be [key, value]');
  return [String(value[0]), value[1]];
}

function prepareKv(op: RawModelOp): ModelOp | null {
  if (!FS.has(op.f)) throw unknownOp('kv', op);
  if (op.outcome === 'fail') return null;
  if (op.f === 'get') {
    if (op.outcome !== 'ok') return null;
    const [k] = tuple(op, op.invokeValue);
    const [, v] = tuple(op, observed(op));
    return v === null ? null : { f: 'get', value: [k, String(v)], outcome: 'ok' };
  }
  const [k, v] = tuple(op, op.invokeValue);
  return { f: op.f, value: [k, String(v)], outcome: op.outcome };
}

/** A string value with its derivation id. */
interface Value {
  readonly s: string;
  readonly id: number;
  /** The values this one becomes by each appended text, made on first use. */
  appended?: Map<string, Value>;
}

/** Hands out derivation ids; one per model instance. Each derivation is one Value object. */
class Derivations {
  private readonly puts = new Map<string, Value>();
  private count = 0;
  put(s: string): Value {
    let v = this.puts.get(s);
    if (v === undefined) {
      v = { s, id: this.count++ };
      this.puts.set(s, v);
    }
    return v;
  }
  append(v: Value, s: string): Value {
    if (s === '') return v;
    v.appended ??= new Map();
    let next = v.appended.get(s);
    if (next === undefined) {
      next = { s: v.s + s, id: this.count++ };
      v.appended.set(s, next);
    }
    return next;
  }
}

/** The value after op, or the inconsistency of a get that does not match. */
function applyKv(d: Derivations, cur: Value, op: ModelOp): Value | Inconsistent {
  const [key, v] = op.value as [string, string];
  if (op.f === 'get') return v === cur.s ? cur : inconsistent(() => `can't get ${show(v)} from key ${show(key)}: it is ${show(cur.s)}`);
  return op.f === 'put' ? d.put(v) : d.append(cur, v);
}

export function kv(init: unknown = ''): Model<Value> {
  const d = new Derivations();
  const start = d.put(String(init ?? ''));
  return {
    name: 'kv',
    init: () => start,
    key: (s) => s.id,
    prepare: prepareKv,
    partition: (op) => (op.value as [string, string])[0],
    step: (s, op) => applyKv(d, s, op),
    readOnly: (op) => op.f === 'get',
    describeState: (s) => show(s.s),
  };
}

/**
 * All keys' values, one slot per key in the order keys were first seen (a missing slot holds the
 * initial value). Stores are hash-consed: equal value vectors are one object with one `id`.
 */
interface Store {
  readonly values: readonly Value[];
  /** XOR over slots not at the initial value of slotHash(slot, value id): updated in O(1). */
  readonly hash: number;
  readonly id: number;
}

// Kept within 30 bits: small integers are Map keys V8 hashes fastest.
const slotHash = (slot: number, id: number): number => finish(mix(mix(0x2545f491, slot), id)) & 0x3fffffff;

/**
 * The hash-consing table of Stores. A step changes one slot, so the successor's hash comes from
 * the predecessor's in O(1) and an existing equal Store is found without building a new vector
 * or key string; only genuinely new states allocate.
 */
class Stores {
  private readonly byHash = new Map<number, Store[]>();
  private count = 0;
  readonly empty: Store;
  private readonly init: Value;

  constructor(init: Value) {
    this.init = init;
    this.empty = this.add([], 0);
  }

  private add(values: Value[], hash: number): Store {
    const s: Store = { values, hash, id: this.count++ };
    const bucket = this.byHash.get(hash);
    if (bucket) bucket.push(s);
    else this.byHash.set(hash, [s]);
    return s;
  }

  /** `base` with `slot` set to `v`. */
  with(base: Store, slot: number, v: Value): Store {
    const init = this.init;
    const old = base.values[slot] ?? init;
    let hash = base.hash;
    if (old.id !== init.id) hash ^= slotHash(slot, old.id);
    if (v.id !== init.id) hash ^= slotHash(slot, v.id);
    const bucket = this.byHash.get(hash);
    if (bucket) {
      for (const c of bucket) if (sameWith(c, base, slot, v, init)) return c;
    }
    const values = base.values.slice();
    while (values.length < slot) values.push(init);
    values[slot] = v;
    return this.add(values, hash);
  }
}

/** Whether `c` equals `base` with `slot` set to `v` (missing slots read as `init`). */
function sameWith(c: Store, base: Store, slot: number, v: Value, init: Value): boolean {
  const n = Math.max(c.values.length, base.values.length, slot + 1);
  for (let i = 0; i < n; i++) {
    const want = i === slot ? v : (base.values[i] ?? init);
    if ((c.values[i] ?? init).id !== want.id) return false;
  }
  return true;
}

export function kvUnpartitioned(init: unknown = ''): Model<Store> {
  const d = new Derivations();
  const start = d.put(String(init ?? ''));
  const stores = new Stores(start);
  const slots = new Map<string, number>();
  const slotOf = (k: string): number => {
    let i = slots.get(k);
    if (i === undefined) {
      i = slots.size;
      slots.set(k, i);
    }
    return i;
  };
  const names = (): string[] => [...slots.keys()];
  return {
    name: 'kv-unpartitioned',
    init: () => stores.empty,
    key: (s) => s.id,
    prepare: prepareKv,
    step(s, op) {
      const slot = slotOf((op.value as [string, string])[0]);
      const cur = s.values[slot] ?? start;
      const next = applyKv(d, cur, op);
      if (!('id' in next)) return next;
      return next === cur ? s : stores.with(s, slot, next);
    },
    readOnly: (op) => op.f === 'get',
    describeState: (s) => {
      const keys = names();
      return `{${s.values.map((v, i) => `${show(keys[i])} ${show(v.s)}`).join(', ')}}`;
    },
  };
}
