/**
 * Workload clients for Consul over its HTTP KV API. One client per worker, bound to its node's
 * agent. Reads use the configured read mode (default / consistent / stale); writes always go
 * through the leader.
 *
 *   register     read = get; write = put; cas = get (default mode) the value and its ModifyIndex,
 *                compare the value, then put ?cas=<ModifyIndex>
 *   set          add = put of set/<element>; read = get ?recurse over the prefix
 *   counter      add = get value + ModifyIndex, put ?cas (retried on conflict a few times, then
 *                fail); read = get
 *   bank         transfer = read every account, then one txn with a cas verb per account;
 *                read = one recursive get over the accounts
 *   list-append, rw-register
 *                one read-only txn of get-tree verbs (every key of the txn), apply the micro-ops
 *                locally, then one txn of check-index / check-not-exists per key read plus a set
 *                per key written; a rolled-back txn is a definite fail (no retry)
 *
 * With a session (`consul.session-ttl`), every write takes its key's lock for the run's session
 * (see session.ts); check-and-set writes then go through a txn of check-index + lock.
 *
 * Outcomes: a definite refusal (cas answered false, a rolled-back txn, a 4xx, no cluster leader)
 * is fail; an unknown outcome of a write (timeout, reset after sending, other 5xx) is info;
 * reads change nothing, so their unknown outcomes are fail.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ClientFactory, Completion } from '../../core/client.ts';
import type { NodeInfo } from '../../core/provider.ts';
import { BANK_PREFIX, COUNTER_ATTEMPTS, COUNTER_KEY, applyMicroOps, failed, keyed, kvWorkloadClients, type KvWorkloadInvoke, type MicroOp } from '../kv-clients.ts';
import { ConsulHttp } from './http.ts';
import { ConsulKv, writeOps, type KvEntry, type KvOutcome, type ReadMode, type TxnOp } from './kv.ts';
import type { SharedSession } from './session.ts';

export interface ConsulClientOptions {
  /** Per request, in milliseconds. */
  timeoutMs: number;
  readMode: ReadMode;
  /** Bank accounts and their initial balance (defaults: 0..4 and 10). */
  accounts?: readonly number[];
  initialBalance?: number;
  /** A session every write locks its key with, kept alive by its owner. */
  session?: SharedSession;
}

type Invoke = KvWorkloadInvoke<ConsulKv, ConsulClientOptions>;

/** A failed read before a write: nothing was written, so it is a fail whatever the read's outcome. */
function readFailed(out: { error: string }): Completion {
  return { type: 'fail', error: out.error };
}

const register: Invoke = async (kv, op, signal, o) => {
  const { key: k, payload } = keyed(op.value, op.f === 'cas');
  const key = k === null ? 'register' : `register/${k}`;
  const withKey = (v: unknown): unknown => (k === null ? v : [k, v]);
  switch (op.f) {
    case 'read': {
      const r = await kv.get(key, o.readMode, signal);
      return r.type === 'ok' ? { type: 'ok', value: withKey(r.value?.value ?? null) } : failed(r);
    }
    case 'write': {
      const r = await kv.put(key, payload, undefined, signal, o.session?.id());
      if (r.type !== 'ok') return failed(r);
      return r.value ? { type: 'ok' } : { type: 'fail', error: 'the put was refused' };
    }
    case 'cas': {
      const [from, to] = payload as [unknown, unknown];
      const cur = await kv.get(key, 'default', signal);
      if (cur.type !== 'ok') return readFailed(cur);
      if (!isDeepStrictEqual(cur.value?.value ?? null, from)) return { type: 'fail', error: 'cas-mismatch' };
      const r = await kv.put(key, to, cur.value?.modifyIndex ?? 0, signal, o.session?.id());
      if (r.type !== 'ok') return failed(r);
      return r.value ? { type: 'ok' } : { type: 'fail', error: 'cas-mismatch: the key changed since it was read' };
    }
    default:
      return { type: 'fail', error: `the register client has no op ${op.f}` };
  }
};

const set: Invoke = async (kv, op, signal, o) => {
  const { key: k, payload } = keyed(op.value, false);
  const prefix = k === null ? 'set/' : `set-${k}/`;
  switch (op.f) {
    case 'add': {
      const r = await kv.put(`${prefix}${JSON.stringify(payload)}`, payload, undefined, signal, o.session?.id());
      if (r.type !== 'ok') return failed(r);
      return r.value ? { type: 'ok' } : { type: 'fail', error: 'the put was refused' };
    }
    case 'read': {
      const r = await kv.list(prefix, o.readMode, signal);
      if (r.type !== 'ok') return failed(r);
      const elements = r.value.map((e) => e.value).sort((a, b) => (a as number) - (b as number));
      return { type: 'ok', value: k === null ? elements : [k, elements] };
    }
    default:
      return { type: 'fail', error: `the set client has no op ${op.f}` };
  }
};

const counter: Invoke = async (kv, op, signal, o) => {
  if (op.f === 'read') {
    const r = await kv.get(COUNTER_KEY, o.readMode, signal);
    return r.type === 'ok' ? { type: 'ok', value: (r.value?.value as number | null | undefined) ?? 0 } : failed(r);
  }
  if (op.f !== 'add') return { type: 'fail', error: `the counter client has no op ${op.f}` };
  for (let attempt = 0; attempt < COUNTER_ATTEMPTS; attempt++) {
    const cur = await kv.get(COUNTER_KEY, 'default', signal);
    if (cur.type !== 'ok') return readFailed(cur);
    const next = ((cur.value?.value as number | null | undefined) ?? 0) + (op.value as number);
    const r = await kv.put(COUNTER_KEY, next, cur.value?.modifyIndex ?? 0, signal, o.session?.id());
    if (r.type !== 'ok') return failed(r);
    if (r.value) return { type: 'ok' };
  }
  return { type: 'fail', error: `conflict: the counter changed under ${COUNTER_ATTEMPTS} attempts` };
};

function balancesOf(entries: readonly KvEntry[]): Map<string, KvEntry> {
  return new Map(entries.map((e) => [e.key.slice(BANK_PREFIX.length), e]));
}

const bank: Invoke = async (kv, op, signal, o) => {
  if (op.f === 'read') {
    const r = await kv.list(BANK_PREFIX, o.readMode, signal);
    if (r.type !== 'ok') return failed(r);
    return { type: 'ok', value: Object.fromEntries([...balancesOf(r.value)].map(([a, e]) => [a, e.value])) };
  }
  if (op.f !== 'transfer') return { type: 'fail', error: `the bank client has no op ${op.f}` };
  const { from, to, amount } = op.value as { from: number; to: number; amount: number };
  const cur = await kv.list(BANK_PREFIX, 'default', signal);
  if (cur.type !== 'ok') return readFailed(cur);
  const accounts = balancesOf(cur.value);
  const a = accounts.get(String(from));
  const b = accounts.get(String(to));
  if (!a || !b) return { type: 'fail', error: `no such account: ${!a ? from : to}` };
  if ((a.value as number) < amount) return { type: 'fail', error: 'insufficient-funds' };
  const session = o.session?.id();
  const r = await kv.txn(
    [
      ...writeOps(a.key, (a.value as number) - amount, { index: a.modifyIndex, session }),
      ...writeOps(b.key, (b.value as number) + amount, { index: b.modifyIndex, session }),
    ],
    'default',
    signal,
  );
  if (r.type !== 'ok') return failed(r);
  return r.value.committed ? { type: 'ok' } : { type: 'fail', error: `conflict: an account changed since it was read (${r.value.errors.join('; ')})` };
};

/**
 * Plans the write half of a list-append / rw-register txn from the entries its read txn found:
 * the completed micro-ops, and the ops of the write txn (empty for a read-only txn): a
 * check-index (or check-not-exists) on every key read, then a set (with a session: a lock) of
 * every key written. `emptyValue` is what a key never written reads as: [] for lists, null for
 * registers.
 */
export function planTxn(ops: readonly MicroOp[], found: readonly KvEntry[], keyPrefix: string, emptyValue: unknown, session?: string): { done: MicroOp[]; write: TxnOp[] } {
  const keys = [...new Set(ops.map((m) => m[1]))];
  const keyOf = (k: number): string => `${keyPrefix}${k}`;
  // get-tree matches by prefix ("la/1" also finds "la/10"): keep the exact keys.
  const byKey = new Map(found.map((e) => [e.key, e]));
  const seen = new Map(keys.map((k) => [k, byKey.get(keyOf(k))]));
  const { done, writes } = applyMicroOps(ops, new Map(keys.map((k) => [k, seen.get(k)?.value ?? emptyValue])));
  if (ops.every((m) => m[0] === 'r')) return { done, write: [] };
  const checks = keys.map((k): TxnOp => {
    const e = seen.get(k);
    return e ? { verb: 'check-index', key: keyOf(k), index: e.modifyIndex } : { verb: 'check-not-exists', key: keyOf(k) };
  });
  return { done, write: [...checks, ...[...writes].flatMap(([k, v]) => writeOps(keyOf(k), v, { session }))] };
}

function txnClient(keyPrefix: string, emptyValue: unknown): Invoke {
  return async (kv, op, signal, o) => {
    if (op.f !== 'txn') return { type: 'fail', error: `the transaction client has no op ${op.f}` };
    const ops = op.value as MicroOp[];
    const keys = [...new Set(ops.map((m) => m[1]))];
    const readOnly = ops.every((m) => m[0] === 'r');
    const snapshot = await kv.txn(keys.map((k): TxnOp => ({ verb: 'get-tree', key: `${keyPrefix}${k}` })), readOnly ? o.readMode : 'default', signal);
    if (snapshot.type !== 'ok') return readFailed(snapshot);
    if (!snapshot.value.committed) return { type: 'fail', error: `read txn refused: ${snapshot.value.errors.join('; ')}` };
    const { done, write } = planTxn(ops, snapshot.value.entries, keyPrefix, emptyValue, o.session?.id());
    if (readOnly) return { type: 'ok', value: done };
    const r = await kv.txn(write, 'default', signal);
    if (r.type !== 'ok') return failed(r);
    return r.value.committed ? { type: 'ok', value: done } : { type: 'fail', error: `conflict: a key changed since the txn read it (${r.value.errors.join('; ')})` };
  };
}

/** Creates every bank account with its initial balance unless it exists already (idempotent). */
async function setupBank(kv: ConsulKv, o: ConsulClientOptions): Promise<KvOutcome<null>> {
  const signal = AbortSignal.timeout(o.timeoutMs);
  for (const a of o.accounts ?? [0, 1, 2, 3, 4]) {
    const r = await kv.put(`${BANK_PREFIX}${a}`, o.initialBalance ?? 10, 0, signal, o.session?.id());
    if (r.type !== 'ok') return r;
  }
  return { type: 'ok', value: null };
}

/** Clients by workload name; `addressOf(node)` is the node's HTTP API host:port. */
export function consulClients(addressOf: (node: NodeInfo) => string, o: ConsulClientOptions): Record<string, ClientFactory> {
  return kvWorkloadClients(
    {
      db: 'consul',
      addressOf,
      open: (node) => new ConsulKv(new ConsulHttp(addressOf(node), o.timeoutMs)),
      close: () => undefined,
      ...(o.session ? { keepAlive: o.session } : {}),
    },
    o,
    { register, set, counter, bank, 'list-append': txnClient('la/', []), 'rw-register': txnClient('rw/', null), setupBank },
  );
}
