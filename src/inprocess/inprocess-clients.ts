/**
 * Clients of an in-process store for the real runner (`faultline test --db inprocess:*`, no
 * cluster): the store's nodes run in the simulator inside the controller, in step with the wall
 * clock (src/sim/realtime.ts), and each client sends its ops to its node over a client link. With
 * `loadBalanced`, every op goes to a random node, as behind a load balancer, so sessions move
 * between replicas.
 */
import type { Client, ClientFactory, Completion } from '../core/client.ts';
import { makeRng } from '../generator/rng.ts';
import { uniform } from '../sim/latency.ts';
import { RealTimeSimulation } from '../sim/realtime.ts';
import { Simulator } from '../sim/simulator.ts';
import type { InProcessStore, ModelOp } from './model-node.ts';

export interface InProcessClientOptions {
  seed: number;
  nodes: readonly string[];
  loadBalanced?: boolean;
  /** Longest one-way latency of a message between nodes, ms (default 5); clients reach a node in a tenth of it. */
  latencyMs?: number;
}

export function inProcessClients(store: InProcessStore, o: InProcessClientOptions): ClientFactory {
  const rng = makeRng(o.seed);
  const latencyMs = o.latencyMs ?? 5;
  let running: RealTimeSimulation<ModelOp, Completion> | undefined;
  const simulation = (): RealTimeSimulation<ModelOp, Completion> => {
    if (!running) {
      const sim = new Simulator<ModelOp, Completion>({ seed: o.seed, nodes: o.nodes, create: (rt) => store.node(rt), latency: uniform(0, latencyMs), clientLatency: uniform(0, latencyMs / 10) });
      running = new RealTimeSimulation(sim);
      running.start();
    }
    return running;
  };
  return {
    async setup() {
      simulation();
    },
    async teardown() {
      running?.close();
      running = undefined;
    },
    open(ctx): Client {
      const node = ctx.node.name;
      return {
        async invoke(op): Promise<Completion> {
          const at = o.loadBalanced ? o.nodes[rng.int(o.nodes.length)]! : node;
          const r = await simulation().request(at, { f: op.f, value: op.value });
          if (r.kind === 'reply') return r.reply;
          return r.kind === 'refused' ? { type: 'fail', error: 'connection refused' } : { type: 'info', error: 'connection reset' };
        },
        close() {},
      };
    },
  };
}
