// Topology profiles: the built-ins are valid and fit any cluster with a node per region; a user's
// file is checked field by field, each mistake refused with one line that names it; placement
// deals nodes out in order in blocks as even as can be, or takes the regions' own node lists.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.ts';
import { dealNodes, parseProfile, placeProfile } from './profile.ts';
import { BUILTIN_TOPOLOGIES } from './profiles.ts';
import { loadTopology } from './load.ts';

const nodes = (n: number) => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const good = {
  regions: [{ name: 'us-east' }, { name: 'eu-west' }],
  links: [{ between: ['us-east', 'eu-west'], rttMs: 80, jitterMs: 4 }],
};

/** The message of the UsageError `fn` throws (fails when it throws nothing or something else). */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parseProfile', () => {
  it('reads the built-ins: single-region, three-regions, two-regions-asym', () => {
    expect(BUILTIN_TOPOLOGIES.map((p) => p.name)).toEqual(['single-region', 'three-regions', 'two-regions-asym']);
    const three = BUILTIN_TOPOLOGIES[1]!;
    expect(three.links.map((l) => l.oneWayMs[0] + l.oneWayMs[1])).toEqual([30, 80, 150]);
    expect(BUILTIN_TOPOLOGIES[2]!.links[0]!.oneWayMs).toEqual([60, 20]);
  });

  it('splits rttMs evenly, takes oneWayMs as given, and the top-level jitter as the default', () => {
    const p = parseProfile(
      {
        jitterMs: 3,
        regions: [{ name: 'a' }, { name: 'b' }, { name: 'c' }],
        links: [
          { between: ['a', 'b'], rttMs: 30 },
          { between: ['c', 'a'], oneWayMs: [50, 10], rttMs: 60, jitterMs: 0 },
          { between: ['b', 'c'], oneWayMs: [1, 2] },
        ],
      },
      'x.json',
    );
    expect(p.name).toBe('x.json');
    expect(p.links).toEqual([
      { between: ['a', 'b'], oneWayMs: [15, 15], jitterMs: 3 },
      { between: ['c', 'a'], oneWayMs: [50, 10], jitterMs: 0 },
      { between: ['b', 'c'], oneWayMs: [1, 2], jitterMs: 3 },
    ]);
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', [1], /must be a JSON object/],
    ['an unknown field', { ...good, latency: 3 }, /has no field "latency"/],
    ['no regions', { links: [] }, /"regions" must be a list of 1 to 8/],
    ['nine regions', { regions: nodes(9).map((n) => ({ name: `r${n}` })), links: [] }, /1 to 8/],
    ['a bad region name', { ...good, regions: [{ name: 'US East' }, { name: 'eu-west' }] }, /regions\[0\]\.name must be/],
    ['a region named twice', { ...good, regions: [{ name: 'eu-west' }, { name: 'eu-west' }] }, /region "eu-west" is named twice/],
    ['nodes for some regions only', { ...good, regions: [{ name: 'us-east', nodes: ['n1'] }, { name: 'eu-west' }] }, /for every region or for none/],
    ['a node in two regions', { ...good, regions: [{ name: 'us-east', nodes: ['n1'] }, { name: 'eu-west', nodes: ['n1'] }] }, /node "n1" is placed in two regions/],
    ['a link to an unknown region', { ...good, links: [{ between: ['us-east', 'eu-central'], rttMs: 8 }] }, /links\[0\]\.between names region "eu-central", which is not in "regions" \(us-east, eu-west\)/],
    ['a link to itself', { ...good, links: [{ between: ['us-east', 'us-east'], rttMs: 8 }] }, /two different regions/],
    ['a negative delay', { ...good, links: [{ between: ['us-east', 'eu-west'], rttMs: -1 }] }, /links\[0\]\.rttMs must be a number of ms from 0 to 10000, got -1/],
    ['a delay as text', { ...good, links: [{ between: ['us-east', 'eu-west'], rttMs: '80' }] }, /rttMs must be a number/],
    ['no delay at all', { ...good, links: [{ between: ['us-east', 'eu-west'] }] }, /links\[0\] needs "rttMs" or "oneWayMs"/],
    ['one-way halves that disagree with the rtt', { ...good, links: [{ between: ['us-east', 'eu-west'], rttMs: 80, oneWayMs: [10, 10] }] }, /does not add up to rttMs 80/],
    ['a one-way pair of three', { ...good, links: [{ between: ['us-east', 'eu-west'], oneWayMs: [1, 2, 3] }] }, /oneWayMs must be \[ms from us-east to eu-west, ms back\]/],
    ['two links for one pair', { ...good, links: [...good.links, { between: ['eu-west', 'us-east'], rttMs: 9 }] }, /two links between eu-west and us-east/],
    ['a missing link', { regions: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], links: [{ between: ['a', 'b'], rttMs: 1 }, { between: ['a', 'c'], rttMs: 1 }] }, /no link between b and c/],
    ['a bad jitter', { ...good, jitterMs: 'lots' }, /"jitterMs" must be a number/],
  ];
  for (const [what, value, message] of bad) {
    it(`refuses ${what} in one line naming it`, () => {
      const m = refusal(() => parseProfile(value, './t.json'));
      expect(m).toMatch(/^topology \.\/t\.json: /);
      expect(m).toMatch(message);
      expect(m).not.toContain('\n');
    });
  }
});

describe('placement', () => {
  it('property: dealt blocks keep the order, cover every node once and differ in size by one at most, the first ones larger', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 8 }), (n, k) => {
        fc.pre(n >= k);
        const blocks = dealNodes(nodes(n), k);
        expect(blocks.flat()).toEqual(nodes(n));
        const sizes = blocks.map((b) => b.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
        expect(Math.min(...sizes)).toBeGreaterThan(0);
      }),
    );
  });

  it('deals the built-ins out in order: three regions on five nodes are 2 / 2 / 1', () => {
    const three = placeProfile(BUILTIN_TOPOLOGIES[1]!, nodes(5));
    expect(three.regions.map((r) => r.nodes)).toEqual([['n1', 'n2'], ['n3', 'n4'], ['n5']]);
    for (const p of BUILTIN_TOPOLOGIES) expect(placeProfile(p, nodes(3)).regions.flatMap((r) => r.nodes)).toEqual(nodes(3));
  });

  it('refuses clusters the profile does not fit, in one line', () => {
    expect(refusal(() => placeProfile(BUILTIN_TOPOLOGIES[1]!, nodes(2)))).toBe('topology three-regions: 3 regions need at least 3 nodes, the cluster has 2 (--nodes)');
    const listed = parseProfile({ ...good, regions: [{ name: 'us-east', nodes: ['n1', 'n2'] }, { name: 'eu-west', nodes: ['n3', 'n9'] }] }, 'mine');
    expect(refusal(() => placeProfile(listed, nodes(3)))).toBe('topology mine: node "n9" is not in the cluster (nodes: n1, n2, n3)');
    expect(refusal(() => placeProfile(listed, ['n1', 'n2', 'n3', 'n9', 'n5', 'n6']))).toBe('topology mine: nodes n5, n6 are in no region');
    expect(placeProfile(listed, ['n1', 'n2', 'n3', 'n9']).regions).toEqual([
      { name: 'us-east', nodes: ['n1', 'n2'] },
      { name: 'eu-west', nodes: ['n3', 'n9'] },
    ]);
  });
});

describe('loadTopology', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-topology-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a built-in by name and a profile from a file', async () => {
    expect((await loadTopology('two-regions-asym', nodes(4))).regions.map((r) => r.nodes.length)).toEqual([2, 2]);
    const file = join(dir, 'mine.json');
    writeFileSync(file, JSON.stringify(good));
    const t = await loadTopology(file, nodes(3));
    expect(t.name).toBe(file);
    expect(t.links[0]!.oneWayMs).toEqual([40, 40]);
  });

  it('refuses unknown names, missing files and text that is not JSON, in one line', async () => {
    await expect(loadTopology('four-regions', nodes(5))).rejects.toThrow(/^unknown topology "four-regions" \(built-in: single-region, three-regions, two-regions-asym; or a JSON file/);
    await expect(loadTopology(join(dir, 'nope.json'), nodes(5))).rejects.toThrow(/nope\.json: cannot read it: no such file$/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"regions": [');
    await expect(loadTopology(broken, nodes(5))).rejects.toThrow(/broken\.json: not JSON: /);
  });
});
