// Partition shapes as grudges, for any cluster size and seed: the cuts have the structure each
// shape promises (who can still talk to whom), and grudgeLinks turns them into directed links.
// Region shapes, for any placement of nodes in regions: a region cut off, a WAN split, and the
// cut carried over to the regions' clients.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeRng } from '../generator/rng.ts';
import type { Grudge } from '../core/provider.ts';
import { clientEndpoint, type Topology } from '../core/topology.ts';
import { dealNodes } from '../topology/profile.ts';
import {
  bridge, checkGrudgeNodes, grudgeLinks, isolate, isolatePrimaries, isolateRegion, majoritiesRing, majorityMinority, oneWay, randomHalves, wanSplit, withRegionClients,
} from './grudge.ts';

const names = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
/** Whether a and b can exchange packets both ways under the grudge. */
const talk = (g: Grudge, a: string, b: string) => !(g[a] ?? []).includes(b) && !(g[b] ?? []).includes(a);
const arb = fc.record({ n: fc.integer({ min: 3, max: 11 }), seed: fc.integer() });

describe('grudge shapes', () => {
  it('isolate cuts one node off both ways and nothing else', () => {
    fc.assert(
      fc.property(arb, ({ n }) => {
        const ns = names(n);
        const g = isolate('n1', ns);
        for (const a of ns) for (const b of ns) if (a !== b) expect(talk(g, a, b)).toBe(a !== 'n1' && b !== 'n1');
      }),
    );
  });

  it('primaries: each primary talks to nobody; the other nodes to each other only', () => {
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 11 }), ({ n, seed }, k) => {
        const ns = names(n);
        const primaries = ns.filter((_, i) => (i + seed) % n < Math.min(k, n));
        const g = isolatePrimaries(primaries, ns);
        for (const a of ns) {
          for (const b of ns) if (a !== b) expect(talk(g, a, b)).toBe(!primaries.includes(a) && !primaries.includes(b));
        }
        // Even when every node is a primary, the cut is real.
        expect(grudgeLinks(g).length).toBeGreaterThan(0);
      }),
    );
  });

  it('halves and majority/minority split into two sides that cannot talk across', () => {
    fc.assert(
      fc.property(arb, ({ n, seed }) => {
        const ns = names(n);
        for (const [g, bigger] of [
          [randomHalves(ns, makeRng(seed)), Math.ceil(n / 2)],
          [majorityMinority(ns, makeRng(seed)), Math.floor(n / 2) + 1],
        ] as const) {
          const side = ns.filter((x) => talk(g, ns[0]!, x) || x === ns[0]);
          expect([bigger, n - bigger]).toContain(side.length);
          for (const a of ns) for (const b of ns) if (a !== b) expect(talk(g, a, b)).toBe(side.includes(a) === side.includes(b));
        }
      }),
    );
  });

  it('majorities ring: every node sees a majority including itself, and no two nodes see the same set', () => {
    fc.assert(
      fc.property(arb, ({ n, seed }) => {
        const ns = names(n);
        const g = majoritiesRing(ns, makeRng(seed));
        const views = ns.map((a) => ns.filter((b) => !(g[a] ?? []).includes(b)).join(','));
        for (const v of views) expect(v.split(',').length).toBe(Math.floor(n / 2) + 1);
        ns.forEach((a, i) => expect(views[i]!.split(',')).toContain(a));
        if (n >= 4) expect(new Set(views).size).toBe(n);
      }),
    );
  });

  it('bridge: one node talks to everyone, the two sides only through it', () => {
    fc.assert(
      fc.property(arb, ({ n, seed }) => {
        const ns = names(n);
        const g = bridge(ns, makeRng(seed));
        const hubs = ns.filter((a) => ns.every((b) => a === b || talk(g, a, b)));
        expect(hubs.length).toBe(1);
        const others = ns.filter((x) => x !== hubs[0]);
        const cut = others.filter((a) => others.some((b) => !talk(g, a, b)));
        expect(cut.length).toBe(others.length);
      }),
    );
  });

  it('one-way: receivers stop hearing senders, senders still hear receivers', () => {
    const g = oneWay(['n2', 'n3'], ['n1']);
    expect(grudgeLinks(g)).toEqual([
      { from: 'n2', to: 'n1' },
      { from: 'n3', to: 'n1' },
    ]);
  });

  it('grudgeLinks drops self-links and duplicates and sorts', () => {
    expect(grudgeLinks({ b: ['a', 'a', 'b'], a: ['c'] })).toEqual([
      { from: 'a', to: 'b' },
      { from: 'c', to: 'a' },
    ]);
  });

  it('checkGrudgeNodes names a node the cluster does not have', () => {
    expect(() => checkGrudgeNodes({ n1: ['n9'] }, ['n1', 'n2'], (m) => new Error(m))).toThrow(/"n9"/);
    expect(() => checkGrudgeNodes({ n1: ['n2'] }, ['n1', 'n2'], (m) => new Error(m))).not.toThrow();
  });
});

/** Nodes n1..nN dealt into k regions r0..r(k-1) (the WAN links do not matter to grudges). */
const arbRegions = fc.record({ k: fc.integer({ min: 2, max: 6 }), extra: fc.integer({ min: 0, max: 6 }), seed: fc.integer() }).map(({ k, extra, seed }) => {
  const blocks = dealNodes(names(k + extra), k);
  const topology: Topology = { name: 't', regions: blocks.map((nodes, i) => ({ name: `r${i}`, nodes })), links: [] };
  return { topology, seed };
});
const regionOfNode = (t: Topology, n: string) => t.regions.find((r) => r.nodes.includes(n))!.name;

describe('region shapes', () => {
  it('property: isolateRegion cuts exactly the links between the region and the rest, both ways', () => {
    fc.assert(
      fc.property(arbRegions, ({ topology, seed }) => {
        const region = topology.regions[Math.abs(seed) % topology.regions.length]!.name;
        const { grudge, sides } = isolateRegion(topology, region);
        expect(sides).toEqual([[region], topology.regions.map((r) => r.name).filter((r) => r !== region)]);
        const ns = topology.regions.flatMap((r) => r.nodes);
        for (const a of ns) for (const b of ns) if (a !== b) expect(talk(grudge, a, b)).toBe((regionOfNode(topology, a) === region) === (regionOfNode(topology, b) === region));
      }),
    );
  });

  it('property: wanSplit splits the regions in two non-empty groups, the smaller first, and cuts only across them', () => {
    fc.assert(
      fc.property(arbRegions, ({ topology, seed }) => {
        const { grudge, sides } = wanSplit(topology, makeRng(seed));
        expect(sides[0].length).toBeGreaterThan(0);
        expect(sides[1].length).toBeGreaterThan(0);
        expect([...sides[0], ...sides[1]].sort()).toEqual(topology.regions.map((r) => r.name).sort());
        const size = (side: string[]) => topology.regions.filter((r) => side.includes(r.name)).reduce((n, r) => n + r.nodes.length, 0);
        expect(size(sides[0])).toBeLessThanOrEqual(size(sides[1]));
        const ns = topology.regions.flatMap((r) => r.nodes);
        for (const a of ns) for (const b of ns) if (a !== b) expect(talk(grudge, a, b)).toBe(sides[0].includes(regionOfNode(topology, a)) === sides[0].includes(regionOfNode(topology, b)));
      }),
    );
  });

  it('property: a region\'s clients are cut from a node of another region exactly when all of the region\'s nodes are', () => {
    const arbGrudge = arbRegions.chain(({ topology }) => {
      const ns = topology.regions.flatMap((r) => r.nodes);
      return fc.record({ topology: fc.constant(topology), drops: fc.array(fc.tuple(fc.constantFrom(...ns), fc.constantFrom(...ns)), { maxLength: 40 }) });
    });
    fc.assert(
      fc.property(arbGrudge, ({ topology, drops }) => {
        const g: Record<string, string[]> = {};
        for (const [to, from] of drops) g[to] = [...(g[to] ?? []), from];
        const out = withRegionClients(g, topology);
        const hears = (gr: typeof out, to: string, from: string) => !(gr[to] ?? []).includes(from);
        for (const r of topology.regions) {
          const c = clientEndpoint(r.name);
          for (const other of topology.regions) {
            for (const x of other.nodes) {
              const fromClients = other === r ? true : !r.nodes.every((y) => !hears(g, x, y));
              const toClients = other === r ? true : !r.nodes.every((y) => !hears(g, y, x));
              expect(hears(out, x, c)).toBe(fromClients);
              expect(hears(out, c, x)).toBe(toClients);
            }
          }
        }
        // The nodes' own grudges are unchanged, apart from the clients added.
        for (const [to, froms] of Object.entries(g)) expect(out[to]!.filter((f) => !f.startsWith('clients@'))).toEqual(froms);
      }),
    );
  });

  it('a region cut off takes its clients with it: they reach their own nodes only', () => {
    const t: Topology = { name: 't', regions: [{ name: 'a', nodes: ['n1', 'n2'] }, { name: 'b', nodes: ['n3'] }, { name: 'c', nodes: ['n4', 'n5'] }], links: [] };
    const links = grudgeLinks(withRegionClients(isolateRegion(t, 'b').grudge, t));
    const clientLinks = links.filter((l) => l.from.startsWith('clients@') || l.to.startsWith('clients@')).map((l) => `${l.from}>${l.to}`);
    expect(clientLinks.sort()).toEqual(
      ['clients@a>n3', 'clients@c>n3', 'clients@b>n1', 'clients@b>n2', 'clients@b>n4', 'clients@b>n5', 'n3>clients@a', 'n3>clients@c', 'n1>clients@b', 'n2>clients@b', 'n4>clients@b', 'n5>clients@b'].sort(),
    );
  });
});
