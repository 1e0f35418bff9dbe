/**
 * The deterministic key-value state machine behind every bundled store: registers and lists,
 * updated by read / write / cas / txn requests. Applying the same requests in the same order
 * always gives the same state and the same replies.
 */
import { errorReply, type Key, type MicroOp, type StoreReply, type StoreRequest } from './protocol.ts';

/** The internal map key of a store key: 1 and "1" stay apart. */
export function keyId(key: Key): string {
  return typeof key === 'number' ? `n${key}` : `s${key}`;
}

/** Lists are copied when read or appended to, so a reply never aliases live state. */
function snapshot(v: unknown): unknown {
  return Array.isArray(v) ? v.slice() : v;
}

/** JSON equality, for CAS. */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A whole state as data (for snapshots): [internal key, value] pairs. */
export type KvDump = [string, unknown][];

export class KvState {
  private readonly data = new Map<string, unknown>();

  /** A copy of the whole state. */
  dump(): KvDump {
    return [...this.data].map(([k, v]) => [k, snapshot(v)]);
  }

  /** Replaces the whole state with a dump. */
  restore(dump: KvDump): void {
    this.data.clear();
    for (const [k, v] of dump) this.data.set(k, v);
  }

  get(key: Key): unknown {
    const v = this.data.get(keyId(key));
    return v === undefined ? null : snapshot(v);
  }

  apply(req: StoreRequest): StoreReply {
    switch (req.f) {
      case 'read':
        return { ok: true, value: this.get(req.key) };
      case 'write':
        this.data.set(keyId(req.key), req.value);
        return { ok: true };
      case 'cas': {
        const current = this.get(req.key);
        if (!sameValue(current, req.from)) {
          return errorReply('cas-mismatch', `expected ${JSON.stringify(req.from)}, found ${JSON.stringify(current)}`, {
            value: current,
          });
        }
        this.data.set(keyId(req.key), req.to);
        return { ok: true };
      }
      case 'txn':
        return this.applyTxn(req.ops);
    }
  }

  /** All or nothing: a type error in any micro-op leaves the state untouched. */
  private applyTxn(ops: readonly MicroOp[]): StoreReply {
    for (const [i, [f, key]] of ops.entries()) {
      if (f !== 'append') continue;
      const current = this.pendingValue(ops, i, key);
      if (current !== null && !Array.isArray(current)) {
        return errorReply('type-mismatch', `ops[${i}]: cannot append to non-list value at key ${JSON.stringify(key)}`);
      }
    }
    const out: MicroOp[] = [];
    for (const [f, key, value] of ops) {
      if (f === 'r') {
        out.push([f, key, this.get(key)]);
      } else if (f === 'w') {
        this.data.set(keyId(key), value);
        out.push([f, key, value]);
      } else {
        const list = this.data.get(keyId(key));
        this.data.set(keyId(key), Array.isArray(list) ? [...list, value] : [value]);
        out.push([f, key, value]);
      }
    }
    return { ok: true, value: out };
  }

  /** The value `key` would hold just before ops[upTo] runs. */
  private pendingValue(ops: readonly MicroOp[], upTo: number, key: Key): unknown {
    let v = this.get(key);
    for (let i = 0; i < upTo; i++) {
      const [f, k, value] = ops[i]!;
      if (keyId(k) !== keyId(key)) continue;
      if (f === 'w') v = value;
      else if (f === 'append') v = [];
    }
    return v;
  }
}
