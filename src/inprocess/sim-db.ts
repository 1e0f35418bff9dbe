/**
 * In-process DBs built from the simulation stores (src/inprocess/*-store.ts), so every workload
 * runs end to end through the real runner without a cluster: a correct store, and each of its
 * deliberate flaws selectable as a bug flag (`--db inprocess:set --bug lossy`).
 * Ops take effect at one instant after a small random delay; background replication (`tick`)
 * runs between ops, and an anti-entropy pass (`settle`) brings every replica up to date every
 * 100 ms, so replicas lag by up to that much and converge once writes stop. With
 * `loadBalanced`, every op goes to a random node, as behind a load balancer, so sessions move
 * between replicas.
 */
import type { Client, ClientFactory, Completion } from '../core/client.ts';
import type { TestInfo } from '../core/context.ts';
import { UsageError } from '../core/errors.ts';
import { makeRng } from '../generator/index.ts';
import type { SimStore } from './simulate.ts';

export interface SimDbSpec {
  workloads: readonly string[];
  /** Flaw name → what the checkers should find. */
  flaws: Readonly<Record<string, string>>;
  make(test: TestInfo, flaw: string | undefined): SimStore;
  loadBalanced?: boolean;
}

/** The client factory over one shared store instance. */
const ANTI_ENTROPY_MS = 100;

export function simClientFactory(store: SimStore, seed: number, nodes: readonly string[], loadBalanced: boolean): ClientFactory {
  const rng = makeRng(seed);
  const sleep = (): Promise<void> => new Promise((r) => setTimeout(r, rng.int(2)));
  let ticker: NodeJS.Timeout | undefined;
  return {
    setup() {
      const settle = store.settle?.bind(store);
      if (settle) ticker = setInterval(settle, ANTI_ENTROPY_MS);
      return Promise.resolve();
    },
    teardown() {
      clearInterval(ticker);
      return Promise.resolve();
    },
    open(ctx): Client {
      const node = ctx.node.name;
      return {
        async invoke(op): Promise<Completion> {
          await sleep();
          store.tick?.(rng);
          const at = loadBalanced ? nodes[rng.int(nodes.length)]! : node;
          return store.apply({ process: op.process, f: op.f, value: op.value, node: at }, rng);
        },
        close() {},
      };
    },
  };
}

export function onlyFlaw(bugs: readonly string[]): string | undefined {
  if (bugs.length > 1) throw new UsageError(`in-process stores take one bug flag at a time, got ${bugs.join(', ')}`);
  return bugs[0];
}
