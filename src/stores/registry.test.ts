// The store registry: every kind builds a node on a runtime, and the quorum store refuses
// quorum sizes its cluster cannot have.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.ts';
import type { StoreReply, StoreRequest } from './protocol.ts';
import { STORES, type NodeSettings } from './registry.ts';
import { Simulator } from '../sim/simulator.ts';

const NODES = ['n1', 'n2', 'n3'];

function boot(store: string, settings: Partial<NodeSettings> = {}): Simulator<StoreRequest, StoreReply> {
  return new Simulator<StoreRequest, StoreReply>({ seed: 1, nodes: NODES, create: rt => STORES[store]!.create(rt, { bugs: new Set(), ...settings }) });
}

describe('store registry', () => {
  it.each(Object.keys(STORES))('%s builds nodes that report their store', store => {
    const sim = boot(store);
    sim.runFor(50);
    expect(sim.node('n1')!.status()).toMatchObject({ node: 'n1', store });
  });

  it('quorum defaults to N = 3 with majority quorums and checks the sizes against the cluster', () => {
    expect(boot('quorum').node('n2')!.status()).toMatchObject({ n: 3, r: 2, w: 2 });
    expect(() => boot('quorum', { n: 5 })).toThrow(UsageError);
    expect(() => boot('quorum', { n: 3, r: 4 })).toThrow('--r 4 / --w 2: quorums cannot exceed --n 3');
  });
});
