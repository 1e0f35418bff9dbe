// Topologies on a real 5-node local cluster: the WAN delays of a profile, measured with real TCP
// connections between nodes of different regions, match its round-trip matrix (and nodes of one
// region see none); region clients cross the WAN from their own address while the controller's
// stays untouched; an asymmetric link is slower one way than the other (one-way UDP times); a
// packet delay adds on top and its heal leaves the WAN in place; a region partition cuts exactly
// that region, its clients included.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeContext, type RunContext } from '../../src/core/context.ts';
import type { Cluster, Grudge } from '../../src/core/provider.ts';
import type { Topology } from '../../src/core/topology.ts';
import { makeRng } from '../../src/generator/rng.ts';
import { grudgeLinks } from '../../src/net/grudge.ts';
import { runLeftovers } from '../../src/providers/local/cleanup.ts';
import { localProvider } from '../../src/providers/local/provider.ts';
import { runContext } from '../../src/runner/context.ts';
import { loadTopology } from '../../src/topology/load.ts';
import { linkRttMs } from '../../src/topology/describe.ts';
import { PacketNemesis } from '../../nemeses/packet.ts';
import { PartitionNemesis } from '../../nemeses/partition.ts';
import { IS_ROOT, PORT, SKIP_REASON, ask, connectMs, oneWayMs, probeDb, reachMatrix } from './helpers.ts';

const PREFIX = 'ft1';
const WORK = `/tmp/faultline-${PREFIX}`;
const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
const signal = new AbortController().signal;
/** What a loaded machine adds on top of the configured delay (scheduling, the helper's queue hop). */
const SLACK_MS = 20;

/** TCP connect times (ms, median of 9) from the controller, sending from `localAddress`, to a node's probe. */
async function connectFromMs(localAddress: string, address: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const s = net.connect({ host: address, port: PORT, localAddress }, () => {
        s.destroy();
        resolve();
      });
      s.on('error', reject);
    });
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[4]!;
}

/** Whether a TCP connection from `localAddress` to the node gets the probe's reply within 1.5 s. */
function reachesFrom(localAddress: string, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port: PORT, localAddress });
    const done = (ok: boolean) => {
      clearTimeout(t);
      s.destroy();
      resolve(ok);
    };
    const t = setTimeout(() => done(false), 1500);
    s.on('data', () => done(true));
    s.on('error', () => done(false));
  });
}

describe.skipIf(!IS_ROOT)(`topologies on a local cluster (${IS_ROOT ? 'root' : SKIP_REASON})`, () => {
  const provider = localProvider({ prefix: PREFIX, subnet: '10.223.1.0/24', nodes: 5, workDir: WORK, fakeClock: false });
  let cluster: Cluster;
  let topology: Topology;
  const db = probeDb(`${WORK}/logs`);
  const ctx = (): RunContext => runContext({ cluster, db, runDir: WORK });
  const address = (node: string): string => cluster.nodes.find((n) => n.name === node)!.address;
  const rtt = (a: string, b: string): { rttMs: number; jitterMs: number } => {
    const ra = topology.regions.find((r) => r.nodes.includes(a))!.name;
    const rb = topology.regions.find((r) => r.nodes.includes(b))!.name;
    const l = topology.links.find((x) => x.between.includes(ra) && x.between.includes(rb))!;
    return { rttMs: linkRttMs(l), jitterMs: l.jitterMs };
  };

  beforeAll(async () => {
    cluster = await provider.up();
    await Promise.all(cluster.nodes.map((n) => db.setup(nodeContext(ctx(), n))));
    topology = await loadTopology('three-regions', NODES);
    await cluster.net!.wan!(topology);
  });

  afterAll(async () => {
    await cluster?.net?.healWan?.();
    await provider.down();
    expect(await runLeftovers(PREFIX)).toEqual([]);
  });

  it('places the nodes as the profile deals them', () => {
    expect(topology.regions.map((r) => [r.name, r.nodes])).toEqual([
      ['us-east', ['n1', 'n2']],
      ['us-central', ['n3', 'n4']],
      ['eu-west', ['n5']],
    ]);
  });

  it('round trips between regions match the matrix; within a region nothing is added', async () => {
    for (const [a, b] of [['n1', 'n3'], ['n4', 'n2'], ['n2', 'n5'], ['n5', 'n3']] as const) {
      const want = rtt(a, b);
      const measured = await connectMs(cluster, a, b);
      expect(measured, `${a} -> ${b}`).toBeGreaterThanOrEqual(want.rttMs - 1);
      expect(measured, `${a} -> ${b}`).toBeLessThan(want.rttMs + 2 * want.jitterMs + SLACK_MS);
    }
    expect(await connectMs(cluster, 'n1', 'n2')).toBeLessThan(10);
    expect(await connectMs(cluster, 'n3', 'n4')).toBeLessThan(10);
  });

  it("region clients cross the WAN from their region's address; the controller's own address is untouched", async () => {
    const eastClients = cluster.clientAddress!('n1')!;
    expect(cluster.clientAddress!('n2')).toBe(eastClients);
    expect(cluster.clientAddress!('n5')).not.toBe(eastClients);
    const toEu = await connectFromMs(eastClients, address('n5'));
    expect(toEu).toBeGreaterThanOrEqual(rtt('n1', 'n5').rttMs - 1);
    expect(toEu).toBeLessThan(rtt('n1', 'n5').rttMs + 2 * rtt('n1', 'n5').jitterMs + SLACK_MS);
    expect(await connectFromMs(eastClients, address('n2'))).toBeLessThan(10);
    const controller = provider.layout.ctlAddress;
    expect(await connectFromMs(controller, address('n5'))).toBeLessThan(10);
  });

  it('a packet delay adds on top of the WAN, and healing it leaves the WAN in place', async () => {
    const packets = new PacketNemesis({ nodes: NODES, db, rng: makeRng(1) });
    const base = rtt('n1', 'n3');
    const c = await packets.invoke(ctx(), { f: 'start-packet', value: { delayMs: 50, links: [{ from: 'n1', to: 'n3' }] } }, { signal });
    expect(c.type).toBe('ok');
    try {
      const measured = await connectMs(cluster, 'n1', 'n3');
      expect(measured).toBeGreaterThanOrEqual(base.rttMs + 50 - 1);
      expect(measured).toBeLessThan(base.rttMs + 50 + 2 * base.jitterMs + SLACK_MS);
    } finally {
      await packets.invoke(ctx(), { f: 'stop-packet', value: null }, { signal });
    }
    const after = await connectMs(cluster, 'n1', 'n3');
    expect(after).toBeGreaterThanOrEqual(base.rttMs - 1);
    expect(after).toBeLessThan(base.rttMs + 2 * base.jitterMs + SLACK_MS);
  });

  it('a region partition cuts exactly that region off, its clients included, and heals', async () => {
    const nemesis = new PartitionNemesis({ nodes: NODES, db, rng: makeRng(3), topology, regions: ['us-central'] });
    const c = await nemesis.invoke(ctx(), { f: 'start-partition', value: { shape: 'region' } }, { signal });
    expect(c.type).toBe('ok');
    const { grudge, sides } = c.value as { grudge: Grudge; sides: [string[], string[]] };
    expect(sides).toEqual([['us-central'], ['us-east', 'eu-west']]);
    try {
      const cutOff = ['n3', 'n4'];
      const expected: Record<string, boolean> = {};
      for (const a of NODES) for (const b of NODES) if (a !== b) expected[`${a}>${b}`] = cutOff.includes(a) === cutOff.includes(b);
      expect(await reachMatrix(cluster)).toEqual(expected);
      expect(grudgeLinks(grudge).length).toBe(2 * 2 * 3);
      const central = cluster.clientAddress!('n3')!;
      const east = cluster.clientAddress!('n1')!;
      for (const n of NODES) {
        expect(await reachesFrom(central, address(n)), `clients of us-central -> ${n}`).toBe(cutOff.includes(n));
        expect(await reachesFrom(east, address(n)), `clients of us-east -> ${n}`).toBe(!cutOff.includes(n));
      }
      for (const n of NODES) expect(await ask(address(n))).toBeDefined();
    } finally {
      expect((await nemesis.invoke(ctx(), { f: 'stop-partition', value: null }, { signal })).type).toBe('ok');
    }
    expect(Object.values(await reachMatrix(cluster)).every(Boolean)).toBe(true);
    expect(await reachesFrom(cluster.clientAddress!('n3')!, address('n1'))).toBe(true);
  });

  it('an asymmetric link is slower one way than the other', async () => {
    const asym = await loadTopology('two-regions-asym', NODES);
    await cluster.net!.wan!(asym);
    topology = asym;
    // us-east n1,n2,n3 and eu-west n4,n5: 60 ms east to west, 20 ms back, jitter below 4 ms.
    const west = await oneWayMs(cluster, 'n1', 'n4');
    const east = await oneWayMs(cluster, 'n4', 'n1');
    expect(west).toBeGreaterThanOrEqual(59);
    expect(west).toBeLessThan(60 + 4 + SLACK_MS);
    expect(east).toBeGreaterThanOrEqual(19);
    expect(east).toBeLessThan(20 + 4 + SLACK_MS);
    expect(await oneWayMs(cluster, 'n1', 'n2')).toBeLessThan(10);
  });
});
