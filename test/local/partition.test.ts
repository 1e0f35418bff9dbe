// Partitions on a real 5-node local cluster: each shape blocks exactly the node pairs its grudge
// names (real TCP connections both ways, from inside the namespaces), the controller keeps its
// access, a one-way cut is one-way (UDP), and heal restores every pair.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeContext, type RunContext } from '../../src/core/context.ts';
import { runContext } from '../../src/runner/context.ts';
import type { Cluster, Grudge } from '../../src/core/provider.ts';
import { makeRng } from '../../src/generator/rng.ts';
import { grudgeLinks } from '../../src/net/grudge.ts';
import { runLeftovers } from '../../src/providers/local/cleanup.ts';
import { localProvider } from '../../src/providers/local/provider.ts';
import { PartitionNemesis, type PartitionShape } from '../../nemeses/partition.ts';
import { IS_ROOT, PORT, PROBE, SKIP_REASON, ask, probeDb, reachMatrix, waitServing } from './helpers.ts';

const PREFIX = 'flpt';
const WORK = `/tmp/faultline-${PREFIX}`;

/** TCP a>b works iff neither side drops the other's packets. */
function expectedMatrix(nodes: readonly string[], grudge: Grudge): Record<string, boolean> {
  const cut = new Set(grudgeLinks(grudge).map((l) => `${l.from}>${l.to}`));
  const m: Record<string, boolean> = {};
  for (const a of nodes) for (const b of nodes) if (a !== b) m[`${a}>${b}`] = !cut.has(`${a}>${b}`) && !cut.has(`${b}>${a}`);
  return m;
}

describe.skipIf(!IS_ROOT)(`partitions on a local cluster (${IS_ROOT ? 'root' : SKIP_REASON})`, () => {
  const provider = localProvider({ prefix: PREFIX, subnet: '10.213.11.0/24', nodes: 5, workDir: WORK, fakeClock: false });
  let cluster: Cluster;
  const db = probeDb(`${WORK}/logs`);
  const dbContext = (): RunContext => runContext({ cluster, db, runDir: WORK });
  let nemesis: PartitionNemesis;
  const names = ['n1', 'n2', 'n3', 'n4', 'n5'];

  beforeAll(async () => {
    cluster = await provider.up();
    await Promise.all(cluster.nodes.map((n) => db.setup(nodeContext(dbContext(), n))));
    nemesis = new PartitionNemesis({ nodes: names, db, rng: makeRng(7) });
  });

  afterAll(async () => {
    await nemesis?.teardown(dbContext());
    await provider.down();
    expect(await runLeftovers(PREFIX)).toEqual([]);
  });

  it('starts fully connected', async () => {
    expect(Object.values(await reachMatrix(cluster)).every(Boolean)).toBe(true);
  });

  for (const shape of ['one', 'majority', 'halves', 'ring', 'bridge'] as PartitionShape[]) {
    it(`shape ${shape}: blocks exactly the grudge's pairs, keeps the controller, heals`, async () => {
      const c = await nemesis.invoke(dbContext(), { f: 'start-partition', value: { shape } }, { signal: new AbortController().signal });
      expect(c.type).toBe('ok');
      const grudge = (c.value as { grudge: Grudge }).grudge;
      expect(grudgeLinks(grudge).length).toBeGreaterThan(0);
      expect(await reachMatrix(cluster)).toEqual(expectedMatrix(names, grudge));
      for (const n of cluster.nodes) expect(await ask(n.address)).toBeDefined();
      const h = await nemesis.invoke(dbContext(), { f: 'stop-partition', value: null }, { signal: new AbortController().signal });
      expect(h.type).toBe('ok');
      expect(Object.values(await reachMatrix(cluster)).every(Boolean)).toBe(true);
    });
  }

  it('a one-way cut drops packets in one direction only (UDP)', async () => {
    const n1 = cluster.nodes[0]!;
    const n2 = cluster.nodes[1]!;
    // n1 stops hearing n2; n2 still hears n1.
    const c = await nemesis.invoke(dbContext(), { f: 'start-partition', value: { grudge: { n1: ['n2'] } } }, { signal: new AbortController().signal });
    expect(c.type).toBe('ok');
    const before1 = (await ask(n1.address))!.udp[n2.address] ?? 0;
    const before2 = (await ask(n2.address))!.udp[n1.address] ?? 0;
    await cluster.remote('n2').exec([process.execPath, PROBE, 'udp', `${n1.address}:${PORT}`, '100']);
    await cluster.remote('n1').exec([process.execPath, PROBE, 'udp', `${n2.address}:${PORT}`, '100']);
    await new Promise((r) => setTimeout(r, 100));
    expect(((await ask(n1.address))!.udp[n2.address] ?? 0) - before1).toBe(0);
    expect(((await ask(n2.address))!.udp[n1.address] ?? 0) - before2).toBeGreaterThanOrEqual(95);
    await nemesis.invoke(dbContext(), { f: 'stop-partition', value: null }, { signal: new AbortController().signal });
    await waitServing(n1.address);
    await cluster.remote('n2').exec([process.execPath, PROBE, 'udp', `${n1.address}:${PORT}`, '100']);
    await new Promise((r) => setTimeout(r, 100));
    expect(((await ask(n1.address))!.udp[n2.address] ?? 0) - before1).toBeGreaterThanOrEqual(95);
  });
});
