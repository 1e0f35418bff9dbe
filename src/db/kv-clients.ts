/**
 * What the real databases' workload clients (etcd, Consul) share: the op shapes they decode,
 * the local application of a transaction's micro-ops, and the client factory around a
 * per-node KV handle with an optional cluster-wide keep-alive (etcd lease, Consul session).
 */
import type { Client, ClientFactory, ClientOp, Completion } from '../core/client.ts';
import type { NodeInfo } from '../core/provider.ts';

export const COUNTER_KEY = 'counter';
/** Read-modify-write attempts of one counter increment before it fails. */
export const COUNTER_ATTEMPTS = 10;
export const BANK_PREFIX = 'bank/';

/** A definite or indefinite outcome of one request. */
export type KvOutcome<T> = { type: 'ok'; value: T } | { type: 'fail' | 'info'; error: string };

export function failed(out: { type: 'fail' | 'info'; error: string }): Completion {
  return { type: out.type, error: out.error };
}

/** Splits a register/set op value into (key suffix, payload): `v` or `[k, v]`. */
export function keyed(value: unknown, payloadIsPair: boolean): { key: number | null; payload: unknown } {
  if (Array.isArray(value) && value.length === 2 && (!payloadIsPair || Array.isArray(value[1]))) return { key: value[0] as number, payload: value[1] };
  return { key: null, payload: value };
}

export type MicroOp = [f: string, key: number, value: unknown];

/**
 * Applies a txn's micro-ops to the values read (key -> stored value or null) and returns the
 * completed micro-ops and the final value of every written key.
 */
export function applyMicroOps(ops: readonly MicroOp[], read: ReadonlyMap<number, unknown>): { done: MicroOp[]; writes: Map<number, unknown> } {
  const state = new Map(read);
  const writes = new Map<number, unknown>();
  const done = ops.map(([f, k, v]): MicroOp => {
    const cur = state.get(k) ?? null;
    if (f === 'r') return [f, k, Array.isArray(cur) ? [...cur] : cur];
    const next = f === 'append' ? [...((cur as unknown[] | null) ?? []), v] : v;
    state.set(k, next);
    writes.set(k, next);
    return [f, k, v];
  });
  return { done, writes };
}

/** Something every client's writes hang on, kept alive for the run (a lease, a session). */
export interface KeepAlive {
  start(addresses: readonly string[]): Promise<void>;
  stop(): void;
}

export type KvInvoke<K> = (kv: K, op: ClientOp, signal: AbortSignal) => Promise<Completion>;

export interface KvFactorySpec<K> {
  /** The database, for messages. */
  db: string;
  addressOf: (node: NodeInfo) => string;
  open: (node: NodeInfo) => K;
  close: (kv: K) => void;
  invoke: KvInvoke<K>;
  /** Run once before the workload, on the first node that accepts it. */
  setup?: (kv: K) => Promise<KvOutcome<unknown>>;
  keepAlive?: KeepAlive;
}

/** A client per worker, bound to its node; setup and keep-alive once for the run. */
function kvClientFactory<K>(s: KvFactorySpec<K>): ClientFactory {
  const f: ClientFactory = {
    open(ctx): Client {
      const kv = s.open(ctx.node);
      return { invoke: (op, { signal }) => s.invoke(kv, op, signal), close: () => s.close(kv) };
    },
  };
  const { setup, keepAlive } = s;
  if (setup || keepAlive) {
    f.setup = async (ctx) => {
      const nodes = ctx.cluster.nodes;
      await keepAlive?.start(nodes.map(s.addressOf));
      if (!setup) return;
      const errors: string[] = [];
      for (const node of nodes) {
        const kv = s.open(node);
        try {
          const r = await setup(kv);
          if (r.type === 'ok') return;
          errors.push(`${node.name}: ${r.error}`);
        } finally {
          s.close(kv);
        }
      }
      throw new Error(`${s.db} client setup failed on every node: ${errors.join('; ') || 'no nodes'}`);
    };
  }
  if (keepAlive) f.teardown = async () => keepAlive.stop();
  return f;
}

/** The workloads a key-value database's clients serve. */
export const KV_WORKLOADS = ['register', 'set', 'counter', 'bank', 'list-append', 'rw-register'] as const;

/** An invoke of a workload client, given the adapter's client options. */
export type KvWorkloadInvoke<K, O> = (kv: K, op: ClientOp, signal: AbortSignal, o: O) => Promise<Completion>;

/** A database's invoke per workload, over its KV handle, and how to create the bank accounts. */
export type KvWorkloads<K, O> = Record<(typeof KV_WORKLOADS)[number], KvWorkloadInvoke<K, O>> & {
  setupBank: (kv: K, o: O) => Promise<KvOutcome<unknown>>;
};

/** The client factories by workload name, each invoke given the options `o`. */
export function kvWorkloadClients<K, O>(base: Omit<KvFactorySpec<K>, 'invoke' | 'setup'>, o: O, w: KvWorkloads<K, O>): Record<string, ClientFactory> {
  const setupBank = (kv: K): Promise<KvOutcome<unknown>> => w.setupBank(kv, o);
  return Object.fromEntries(
    KV_WORKLOADS.map((name) => {
      const invoke: KvInvoke<K> = (kv, op, signal) => w[name](kv, op, signal, o);
      return [name, kvClientFactory({ ...base, invoke, ...(name === 'bank' ? { setup: setupBank } : {}) })];
    }),
  );
}
