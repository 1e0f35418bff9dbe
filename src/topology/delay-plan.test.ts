// The per-link delay plan, for random topologies: every directed pair of endpoints in different
// regions is delayed by exactly its link's one-way delay in that direction (asymmetric links
// oriented right), pairs within a region and between client endpoints never are, and the delay
// classes split the links without losing or repeating one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientEndpoint, linkBetween, type Topology } from '../core/topology.ts';
import { placeProfile } from './profile.ts';
import { builtinTopology } from './profiles.ts';
import { delayClasses, topologyEndpoints, wanDelays } from './delay-plan.ts';

/** A topology of 1-5 regions over 1-9 nodes, each link with its own one-way delays and jitter. */
const arbTopology: fc.Arbitrary<Topology> = fc
  .record({ regions: fc.integer({ min: 1, max: 5 }), extra: fc.integer({ min: 0, max: 4 }), delays: fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 }), fc.constantFrom(0, 2, 5)), { minLength: 10, maxLength: 10 }) })
  .map(({ regions, extra, delays }) => {
    const names = Array.from({ length: regions }, (_, i) => `r${i}`);
    const nodes = Array.from({ length: regions + extra }, (_, i) => `n${i + 1}`);
    const links = names.flatMap((a, i) => names.slice(i + 1).map((b) => [a, b] as [string, string]));
    return placeProfile(
      { name: 'arb', regions: names.map((name) => ({ name })), links: links.map((between, k) => ({ between, oneWayMs: [delays[k]![0], delays[k]![1]] as [number, number], jitterMs: delays[k]![2] })) },
      nodes,
    );
  });

describe('wanDelays', () => {
  it('property: each cross-region pair gets its direction of the link; nothing else is delayed', () => {
    fc.assert(
      fc.property(arbTopology, fc.boolean(), (t, clients) => {
        const endpoints = topologyEndpoints(t, { clients });
        const plan = wanDelays(t, endpoints);
        const byPair = new Map(plan.map((l) => [`${l.from}>${l.to}`, l]));
        expect(byPair.size).toBe(plan.length);
        const clientNames = new Set(t.regions.map((r) => clientEndpoint(r.name)));
        for (const a of endpoints) {
          for (const b of endpoints) {
            const got = byPair.get(`${a.name}>${b.name}`);
            const link = a.region === b.region ? undefined : linkBetween(t, a.region, b.region);
            const silent = !link || (link.oneWayMs[0] === 0 && link.jitterMs === 0) || (clientNames.has(a.name) && clientNames.has(b.name));
            if (silent) expect(got).toBeUndefined();
            else expect(got).toEqual({ from: a.name, to: b.name, delayMs: link.oneWayMs[0], jitterMs: link.jitterMs });
          }
        }
      }),
    );
  });

  it('property: the delay classes split the plan into links of one delay and jitter each', () => {
    fc.assert(
      fc.property(arbTopology, (t) => {
        const plan = wanDelays(t, topologyEndpoints(t, { clients: true }));
        const classes = delayClasses(plan);
        expect(classes.flatMap((c) => c.links.map((l) => `${l.from}>${l.to}`)).sort()).toEqual(plan.map((l) => `${l.from}>${l.to}`).sort());
        expect(new Set(classes.map((c) => `${c.delayMs}/${c.jitterMs}`)).size).toBe(classes.length);
        for (const c of classes) for (const l of c.links) expect(plan).toContainEqual({ ...l, delayMs: c.delayMs, jitterMs: c.jitterMs });
      }),
    );
  });

  it('orients an asymmetric link: 60 ms from us-east to eu-west, 20 ms back, clients too', () => {
    const t = placeProfile(builtinTopology('two-regions-asym')!, ['n1', 'n2', 'n3']);
    const plan = wanDelays(t, topologyEndpoints(t, { clients: true }));
    const at = (from: string, to: string) => plan.find((l) => l.from === from && l.to === to)?.delayMs;
    expect([at('n1', 'n3'), at('n3', 'n1'), at('n2', 'n3')]).toEqual([60, 20, 60]);
    expect([at('clients@us-east', 'n3'), at('n3', 'clients@us-east'), at('clients@eu-west', 'n1')]).toEqual([60, 20, 20]);
    expect([at('n1', 'n2'), at('clients@us-east', 'n1'), at('clients@us-east', 'clients@eu-west')]).toEqual([undefined, undefined, undefined]);
    expect(delayClasses(plan).map((c) => [c.delayMs, c.jitterMs, c.links.length])).toEqual([[20, 4, 5], [60, 4, 5]]);
  });

  it('a single region adds nothing', () => {
    const t = placeProfile(builtinTopology('single-region')!, ['n1', 'n2', 'n3']);
    expect(wanDelays(t, topologyEndpoints(t, { clients: true }))).toEqual([]);
  });
});
