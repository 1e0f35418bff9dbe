/**
 * In-process register stores for testing the whole pipeline without a cluster.
 *
 * `atom` is linearizable: every read, write and compare-and-set takes effect at one instant
 * between its invocation and its completion. `stale-atom` is not: each node keeps a replica that
 * catches up with the primary only now and then, and reads are served from the client's node, so
 * reads return old values (the weakness of asynchronous replication with follower reads).
 * Ops: read (value null, completes with the value), write (value v), cas (value [expected, new];
 * fails when the current value differs). Optional `timeoutRate` makes some ops hang, to exercise
 * the runner's timeouts; a hung write may still take effect later, as on a real network.
 */
import type { Client, ClientFactory, ClientOp, Completion } from '../core/client.ts';

export interface AtomOptions {
  /** Reads served from a lagging replica of the client's node. */
  stale?: boolean;
  /** Max simulated latency per op in ms (uniform 0..maxLatencyMs). */
  maxLatencyMs?: number;
  /** Fraction of ops that never answer (the runner times them out). */
  timeoutRate?: number;
  /** Seeded uniform [0,1) source, so tests are reproducible. */
  random?: () => number;
}

interface Replica {
  value: unknown;
}

export function atomStore(opts: AtomOptions = {}): ClientFactory & { readonly primary: Replica } {
  const random = opts.random ?? Math.random;
  const maxLatency = opts.maxLatencyMs ?? 1;
  const primary: Replica = { value: null };
  const replicas = new Map<string, Replica>();
  const replicaOf = (node: string): Replica => {
    let r = replicas.get(node);
    if (!r) replicas.set(node, (r = { value: primary.value }));
    return r;
  };
  const sleep = (ms: number): Promise<void> => (ms <= 0 ? Promise.resolve() : new Promise((r) => setTimeout(r, ms)));

  function apply(node: string, op: ClientOp): Completion {
    if (opts.stale) {
      // Replication catches up for this node only sometimes: its reads lag behind writes.
      if (random() < 0.2) replicaOf(node).value = primary.value;
    }
    switch (op.f) {
      case 'read':
        return { type: 'ok', value: opts.stale ? replicaOf(node).value : primary.value };
      case 'write':
        primary.value = op.value;
        return { type: 'ok' };
      case 'cas': {
        if (!Array.isArray(op.value) || op.value.length !== 2) {
          return { type: 'fail', error: 'cas value must be [expected, new]' };
        }
        const [expected, next] = op.value as [unknown, unknown];
        if (primary.value !== expected) return { type: 'fail', error: 'cas-mismatch' };
        primary.value = next;
        return { type: 'ok' };
      }
      default:
        return { type: 'fail', error: `unknown op ${op.f}` };
    }
  }

  return {
    primary,
    open(ctx): Client {
      const node = ctx.node.name;
      return {
        async invoke(op: ClientOp, { signal }): Promise<Completion> {
          if (opts.timeoutRate && random() < opts.timeoutRate) {
            // Never answers; a write may still land later, like a request stuck in the network.
            const lands = random() < 0.5;
            return new Promise<Completion>((_, reject) => {
              signal.addEventListener('abort', () => {
                if (lands && op.f !== 'read') apply(node, op);
                reject(new Error('aborted'));
              }, { once: true });
            });
          }
          await sleep(random() * maxLatency);
          return apply(node, op);
        },
        close() {},
      };
    },
  };
}
