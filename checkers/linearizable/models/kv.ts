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
}

/** Hands out derivation ids; one per model instance. */
class Derivations {
  private readonly ids = new Map<string, number>();
  private id(how: string): number {
    let id = this.ids.get(how);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(how, id);
    }
    return id;
  }
  put(s: string): Value {
    return { s, id: this.id(`=${s}`) };
  }
  append(v: Value, s: string): Value {
    return s === '' ? v : { s: v.s + s, id: this.id(`${v.id}+${s}`) };
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

/** All keys' values, in the order keys were first seen, with a key built from their ids. */
interface Store {
  readonly values: readonly Value[];
  readonly key: string;
}

export function kvUnpartitioned(init: unknown = ''): Model<Store> {
  const d = new Derivations();
  const start = d.put(String(init ?? ''));
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
    init: () => ({ values: [], key: '' }),
    key: (s) => s.key,
    prepare: prepareKv,
    step(s, op) {
      const slot = slotOf((op.value as [string, string])[0]);
      const cur = s.values[slot] ?? start;
      const next = applyKv(d, cur, op);
      if (!('id' in next)) return next;
      if (next === cur) return s;
      const values = s.values.slice();
      while (values.length < slot) values.push(start);
      values[slot] = next;
      return { values, key: values.map((v) => v.id).join(',') };
    },
    readOnly: (op) => op.f === 'get',
    describeState: (s) => {
      const keys = names();
      return `{${s.values.map((v, i) => `${show(keys[i])} ${show(v.s)}`).join(', ')}}`;
    },
  };
}
