/**
 * Workload clients for the bundled reference stores, over their HTTP/JSON API. Each client talks
 * to its node and follows a not-leader hint to the leader (the store never forwards), sending from
 * its node's region when the cluster places clients in regions. The store client already
 * classifies outcomes: definite rejections are `fail`, unknown outcomes `info`.
 */
import type { Client, ClientFactory, ClientOp, Completion } from '../../core/client.ts';
import type { NodeInfo } from '../../core/provider.ts';
import { StoreClient, type StoreOutcome } from '../../stores/client.ts';
import type { MicroOp } from '../../stores/protocol.ts';

/** The key the unkeyed register workload uses. */
const REGISTER_KEY = 'r';

function completion(out: StoreOutcome, withValue: boolean): Completion {
  const c: Completion = { type: out.type };
  if (withValue && out.type === 'ok') c.value = out.value ?? null;
  if (out.type !== 'ok') c.error = out.message ? `${out.error}: ${out.message}` : (out.error ?? 'error');
  return c;
}

type Invoke = (client: StoreClient, op: ClientOp, signal: AbortSignal) => Promise<Completion>;

function factory(addressOf: (node: NodeInfo) => string, timeoutMs: number, invoke: Invoke): ClientFactory {
  return {
    open(ctx): Client {
      const localAddress = ctx.cluster.clientAddress?.(ctx.node.name);
      const store = new StoreClient(addressOf(ctx.node), { timeoutMs, ...(localAddress !== undefined ? { localAddress } : {}) });
      return {
        invoke: (op, { signal }) => invoke(store, op, signal),
        close: () => store.close(),
      };
    },
  };
}

const register: Invoke = async (c, op, signal) => {
  switch (op.f) {
    case 'read':
      return completion(await c.read(REGISTER_KEY, signal), true);
    case 'write':
      return completion(await c.write(REGISTER_KEY, op.value, signal), false);
    case 'cas': {
      const [from, to] = op.value as [unknown, unknown];
      return completion(await c.cas(REGISTER_KEY, from, to, signal), false);
    }
    default:
      return { type: 'fail', error: `the register client has no op ${op.f}` };
  }
};

function txnClient(emptyRead: unknown): Invoke {
  return async (c, op, signal) => {
    if (op.f !== 'txn') return { type: 'fail', error: `the transaction client has no op ${op.f}` };
    const done = completion(await c.txn(op.value as MicroOp[], signal), true);
    // A key never written reads as null; for lists that is the empty list.
    if (done.type === 'ok' && Array.isArray(done.value) && emptyRead !== null) {
      done.value = (done.value as MicroOp[]).map(([f, k, v]) => [f, k, f === 'r' && v === null ? emptyRead : v]);
    }
    return done;
  };
}

/** Clients by workload name. */
export function referenceClients(addressOf: (node: NodeInfo) => string, timeoutMs: number): Record<string, ClientFactory> {
  return {
    register: factory(addressOf, timeoutMs, register),
    'list-append': factory(addressOf, timeoutMs, txnClient([])),
    'rw-register': factory(addressOf, timeoutMs, txnClient(null)),
  };
}
