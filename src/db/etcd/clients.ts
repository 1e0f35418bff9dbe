/**
 * Workload clients for etcd, over the v3 JSON gateway (see gateway.ts for why). One client per
 * worker, bound to its node's client URL. Values are stored as JSON text.
 *
 *   register     read = range; write = put; cas = txn comparing the value, then put
 *   set          add = put of <prefix>/<element>; read = range over the prefix
 *   counter      add = read value + mod_revision, txn compare mod_revision then put (retried on
 *                conflict a few times, then fail); read = range
 *   bank         transfer = read all accounts, txn compare both mod_revisions then put both;
 *                read = one range over the accounts (a single revision)
 *   list-append, rw-register
 *                read every key of the txn at one revision (a read-only txn of ranges), apply the
 *                micro-ops locally, then one txn comparing every key's mod_revision and putting
 *                the written keys; a conflict is a definite fail (no retry)
 *
 * Outcomes: a definite rejection (compare failed, bad request) is fail; an unknown outcome of a
 * write (timeout, reset after sending, request timed out) is info; reads never change anything,
 * so their unknown outcomes are fail. With `serializableReads`, reads and read-only txns use
 * serializable=true: the member answers from its own state, which may be stale.
 */
import type { ClientFactory } from '../../core/client.ts';
import type { NodeInfo } from '../../core/provider.ts';
import { BANK_PREFIX, COUNTER_ATTEMPTS, COUNTER_KEY, applyMicroOps, failed, keyed, kvWorkloadClients, type KvWorkloadInvoke, type MicroOp } from '../kv-clients.ts';
import { EtcdGateway, unb64, type GatewayKv } from './gateway.ts';
import { EtcdKv, type Compare, type KvOutcome, type TxnRequest } from './kv.ts';
import type { SharedLease } from './lease.ts';

export interface EtcdClientOptions {
  /** Per request, in milliseconds. */
  timeoutMs: number;
  serializableReads: boolean;
  /** Bank accounts and their initial balance (defaults: 0..4 and 10). */
  accounts?: readonly number[];
  initialBalance?: number;
  /** A lease every put is attached to, kept alive by its owner. */
  lease?: SharedLease;
}

type Invoke = KvWorkloadInvoke<EtcdKv, EtcdClientOptions>;

function decode(kv: GatewayKv | undefined): unknown {
  return kv?.value === undefined ? null : JSON.parse(unb64(kv.value));
}

function modRevision(kv: GatewayKv | undefined): string {
  return kv?.mod_revision ?? '0';
}

const register: Invoke = async (kv, op, signal, o) => {
  const { key: k, payload } = keyed(op.value, op.f === 'cas');
  const key = k === null ? 'register' : `register/${k}`;
  const withKey = (v: unknown): unknown => (k === null ? v : [k, v]);
  switch (op.f) {
    case 'read': {
      const r = await kv.range(key, { serializable: o.serializableReads }, signal);
      return r.type === 'ok' ? { type: 'ok', value: withKey(decode(r.value.kvs[0])) } : failed(r);
    }
    case 'write': {
      const r = await kv.put(key, JSON.stringify(payload), signal);
      return r.type === 'ok' ? { type: 'ok' } : failed(r);
    }
    case 'cas': {
      const [from, to] = payload as [unknown, unknown];
      const r = await kv.txn([{ key, target: 'VALUE', value: JSON.stringify(from) }], [{ put: { key, value: JSON.stringify(to) } }], signal);
      if (r.type !== 'ok') return failed(r);
      return r.value.succeeded ? { type: 'ok' } : { type: 'fail', error: 'cas-mismatch' };
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
      const r = await kv.put(`${prefix}${JSON.stringify(payload)}`, JSON.stringify(payload), signal);
      return r.type === 'ok' ? { type: 'ok' } : failed(r);
    }
    case 'read': {
      const r = await kv.range(prefix, { prefix: true, serializable: o.serializableReads }, signal);
      if (r.type !== 'ok') return failed(r);
      const elements = r.value.kvs.map(decode).sort((a, b) => (a as number) - (b as number));
      return { type: 'ok', value: k === null ? elements : [k, elements] };
    }
    default:
      return { type: 'fail', error: `the set client has no op ${op.f}` };
  }
};

const counter: Invoke = async (kv, op, signal, o) => {
  if (op.f === 'read') {
    const r = await kv.range(COUNTER_KEY, { serializable: o.serializableReads }, signal);
    return r.type === 'ok' ? { type: 'ok', value: (decode(r.value.kvs[0]) as number | null) ?? 0 } : failed(r);
  }
  if (op.f !== 'add') return { type: 'fail', error: `the counter client has no op ${op.f}` };
  for (let attempt = 0; attempt < COUNTER_ATTEMPTS; attempt++) {
    const cur = await kv.range(COUNTER_KEY, { serializable: false }, signal);
    if (cur.type !== 'ok') return { type: 'fail', error: cur.error };
    const current = cur.value.kvs[0];
    const next = ((decode(current) as number | null) ?? 0) + (op.value as number);
    const r = await kv.txn([{ key: COUNTER_KEY, target: 'MOD', revision: modRevision(current) }], [{ put: { key: COUNTER_KEY, value: JSON.stringify(next) } }], signal);
    if (r.type !== 'ok') return failed(r);
    if (r.value.succeeded) return { type: 'ok' };
  }
  return { type: 'fail', error: `conflict: the counter changed under ${COUNTER_ATTEMPTS} attempts` };
};

function balancesOf(kvs: readonly GatewayKv[]): Map<string, { balance: number; kv: GatewayKv }> {
  return new Map(kvs.map((kv) => [unb64(kv.key).slice(BANK_PREFIX.length), { balance: decode(kv) as number, kv }]));
}

const bank: Invoke = async (kv, op, signal, o) => {
  if (op.f === 'read') {
    const r = await kv.range(BANK_PREFIX, { prefix: true, serializable: o.serializableReads }, signal);
    if (r.type !== 'ok') return failed(r);
    return { type: 'ok', value: Object.fromEntries([...balancesOf(r.value.kvs)].map(([a, b]) => [a, b.balance])) };
  }
  if (op.f !== 'transfer') return { type: 'fail', error: `the bank client has no op ${op.f}` };
  const { from, to, amount } = op.value as { from: number; to: number; amount: number };
  const cur = await kv.range(BANK_PREFIX, { prefix: true, serializable: false }, signal);
  if (cur.type !== 'ok') return { type: 'fail', error: cur.error };
  const accounts = balancesOf(cur.value.kvs);
  const a = accounts.get(String(from));
  const b = accounts.get(String(to));
  if (!a || !b) return { type: 'fail', error: `no such account: ${!a ? from : to}` };
  if (a.balance < amount) return { type: 'fail', error: 'insufficient-funds' };
  const r = await kv.txn(
    [
      { key: `${BANK_PREFIX}${from}`, target: 'MOD', revision: modRevision(a.kv) },
      { key: `${BANK_PREFIX}${to}`, target: 'MOD', revision: modRevision(b.kv) },
    ],
    [
      { put: { key: `${BANK_PREFIX}${from}`, value: JSON.stringify(a.balance - amount) } },
      { put: { key: `${BANK_PREFIX}${to}`, value: JSON.stringify(b.balance + amount) } },
    ],
    signal,
  );
  if (r.type !== 'ok') return failed(r);
  return r.value.succeeded ? { type: 'ok' } : { type: 'fail', error: 'conflict: an account changed since it was read' };
};

/** `emptyValue` is what a key never written reads as: [] for lists, null for registers. */
function txnClient(keyPrefix: string, emptyValue: unknown): Invoke {
  return async (kv, op, signal, o) => {
    if (op.f !== 'txn') return { type: 'fail', error: `the transaction client has no op ${op.f}` };
    const ops = op.value as MicroOp[];
    const keys = [...new Set(ops.map((m) => m[1]))];
    const keyOf = (k: number): string => `${keyPrefix}${k}`;
    const readOnly = ops.every((m) => m[0] === 'r');
    const snapshot = await kv.txn([], keys.map((k): TxnRequest => ({ range: { key: keyOf(k) } })), signal, readOnly && o.serializableReads);
    if (snapshot.type !== 'ok') return { type: 'fail', error: snapshot.error };
    const seen = new Map<number, GatewayKv | undefined>(keys.map((k, i) => [k, snapshot.value.responses[i]?.response_range?.kvs?.[0]]));
    const { done, writes } = applyMicroOps(ops, new Map(keys.map((k) => [k, decode(seen.get(k)) ?? emptyValue])));
    if (readOnly) return { type: 'ok', value: done };
    const compares: Compare[] = keys.map((k) => ({ key: keyOf(k), target: 'MOD', revision: modRevision(seen.get(k)) }));
    const puts: TxnRequest[] = [...writes].map(([k, v]) => ({ put: { key: keyOf(k), value: JSON.stringify(v) } }));
    const r = await kv.txn(compares, puts, signal);
    if (r.type !== 'ok') return failed(r);
    return r.value.succeeded ? { type: 'ok', value: done } : { type: 'fail', error: 'conflict: a key changed since the txn read it' };
  };
}

/** Puts every bank account's initial balance unless it exists already (idempotent). */
async function setupBank(kv: EtcdKv, o: EtcdClientOptions): Promise<KvOutcome<null>> {
  const accounts = o.accounts ?? [0, 1, 2, 3, 4];
  const signal = AbortSignal.timeout(o.timeoutMs);
  for (const a of accounts) {
    const key = `${BANK_PREFIX}${a}`;
    const r = await kv.txn([{ key, target: 'CREATE', revision: '0' }], [{ put: { key, value: JSON.stringify(o.initialBalance ?? 10) } }], signal);
    if (r.type !== 'ok') return r;
  }
  return { type: 'ok', value: null };
}

/** Clients by workload name; `addressOf(node)` is the node's client host:port. */
export function etcdClients(addressOf: (node: NodeInfo) => string, o: EtcdClientOptions): Record<string, ClientFactory> {
  return kvWorkloadClients(
    {
      db: 'etcd',
      addressOf,
      open: (node) => new EtcdKv(new EtcdGateway(addressOf(node), { timeoutMs: o.timeoutMs }), () => o.lease?.id()),
      close: (kv) => kv.close(),
      ...(o.lease ? { keepAlive: o.lease } : {}),
    },
    o,
    { register, set, counter, bank, 'list-append': txnClient('la/', []), 'rw-register': txnClient('rw/', null), setupBank },
  );
}
