// Partition shapes as grudges, for any cluster size and seed: the cuts have the structure each
// shape promises (who can still talk to whom), and grudgeLinks turns them into directed links.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeRng } from '../generator/rng.ts';
import type { Grudge } from '../core/provider.ts';
import { bridge, checkGrudgeNodes, grudgeLinks, isolate, isolatePrimaries, majoritiesRing, majorityMinority, oneWay, randomHalves } from './grudge.ts';

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
