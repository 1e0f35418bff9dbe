/**
 * Workload clients for the bundled reference stores, over their HTTP/JSON API. Each client talks
 * to its node and follows a not-leader hint to the leader (the store never forwards), sending from
 * its node's region when the cluster places clients in regions. The store client already
 * classifies outcomes: definite rejections are `fail`, unknown outcomes `info`.
 *
 * The mapping between a workload's ops and the store's requests (`STORE_OP_MAPPINGS`) is shared
 * with the simulator's clients (src/sim/store-clients.ts), so a simulated run records exactly
 * the history a real run would.
 */
import type { Client, ClientFactory, ClientOp, Completion } from '../../core/client.ts';
import type { NodeInfo } from '../../core/provider.ts';
import { StoreClient, type StoreOutcome } from '../../stores/client.ts';
import type { MicroOp, StoreRequest } from '../../stores/protocol.ts';

/** The key the unkeyed register workload uses. */
const REGISTER_KEY = 'r';

/** How one workload's ops become store requests, and store outcomes become completions. */
export interface StoreOpMapping {
  /** The request for an op, or the completion of an op the client cannot send. */
  request(op: ClientOp): StoreRequest | Completion;
  completion(op: ClientOp, out: StoreOutcome): Completion;
}

function completion(out: StoreOutcome, withValue: boolean): Completion {
  const c: Completion = { type: out.type };
  if (withValue && out.type === 'ok') c.value = out.value ?? null;
  if (out.type !== 'ok') c.error = out.message ? `${out.error}: ${out.message}` : (out.error ?? 'error');
  return c;
}

const register: StoreOpMapping = {
  request(op) {
    switch (op.f) {
      case 'read':
        return { f: 'read', key: REGISTER_KEY };
      case 'write':
        return { f: 'write', key: REGISTER_KEY, value: op.value };
      case 'cas': {
        const [from, to] = op.value as [unknown, unknown];
        return { f: 'cas', key: REGISTER_KEY, from, to };
      }
      default:
        return { type: 'fail', error: `the register client has no op ${op.f}` };
    }
  },
  completion: (op, out) => completion(out, op.f === 'read'),
};

function txn(emptyRead: unknown): StoreOpMapping {
  return {
    request: (op) => (op.f === 'txn' ? { f: 'txn', ops: op.value as MicroOp[] } : { type: 'fail', error: `the transaction client has no op ${op.f}` }),
    completion(_op, out) {
      const done = completion(out, true);
      // A key never written reads as null; for lists that is the empty list.
      if (done.type === 'ok' && Array.isArray(done.value) && emptyRead !== null) {
        done.value = (done.value as MicroOp[]).map(([f, k, v]) => [f, k, f === 'r' && v === null ? emptyRead : v]);
      }
      return done;
    },
  };
}

/** The op mapping of every workload the reference stores serve. */
export const STORE_OP_MAPPINGS: Readonly<Record<string, StoreOpMapping>> = {
  register,
  'list-append': txn([]),
  'rw-register': txn(null),
};

function factory(addressOf: (node: NodeInfo) => string, timeoutMs: number, mapping: StoreOpMapping): ClientFactory {
  return {
    open(ctx): Client {
      const localAddress = ctx.cluster.clientAddress?.(ctx.node.name);
      const store = new StoreClient(addressOf(ctx.node), { timeoutMs, ...(localAddress !== undefined ? { localAddress } : {}) });
      return {
        async invoke(op, { signal }) {
          const req = mapping.request(op);
          if (!('f' in req)) return req;
          return mapping.completion(op, await store.request(req, signal));
        },
        close: () => store.close(),
      };
    },
  };
}

/** Clients by workload name. */
export function referenceClients(addressOf: (node: NodeInfo) => string, timeoutMs: number): Record<string, ClientFactory> {
  return Object.fromEntries(Object.entries(STORE_OP_MAPPINGS).map(([w, m]) => [w, factory(addressOf, timeoutMs, m)]));
}
