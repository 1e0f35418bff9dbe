// Packet faults on a real local cluster, measured between nodes: loss and duplication rates
// within a few percent of the request (UDP counts), added delay within 20% of the request (TCP
// connect times), a rate limit that slows a bulk transfer; the controller's traffic and links
// not named are untouched, and stop-packet removes everything it applied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeContext, type RunContext } from '../../src/core/context.ts';
import { runContext } from '../../src/runner/context.ts';
import type { Cluster } from '../../src/core/provider.ts';
import { makeRng } from '../../src/generator/rng.ts';
import { runLeftovers } from '../../src/providers/local/cleanup.ts';
import { localProvider } from '../../src/providers/local/provider.ts';
import { PacketNemesis } from '../../nemeses/packet.ts';
import { IS_ROOT, PORT, PROBE, SKIP_REASON, ask, connectMs as connectBetween, probeDb } from './helpers.ts';

const PREFIX = 'flpk';
const WORK = `/tmp/faultline-${PREFIX}`;
const signal = new AbortController().signal;

describe.skipIf(!IS_ROOT)(`packet faults on a local cluster (${IS_ROOT ? 'root' : SKIP_REASON})`, () => {
  const provider = localProvider({ prefix: PREFIX, subnet: '10.213.12.0/24', nodes: 3, workDir: WORK, fakeClock: false });
  let cluster: Cluster;
  const db = probeDb(`${WORK}/logs`);
  const dbContext = (): RunContext => runContext({ cluster, db, runDir: WORK });
  let nemesis: PacketNemesis;

  /** Datagrams n1 -> n2 that arrived, out of `count` sent. */
  async function udpDelivered(count: number): Promise<number> {
    const [n1, n2] = [cluster.nodes[0]!, cluster.nodes[1]!];
    const before = (await ask(n2.address))!.udp[n1.address] ?? 0;
    await cluster.remote('n1').exec([process.execPath, PROBE, 'udp', `${n2.address}:${PORT}`, String(count)]);
    await new Promise((r) => setTimeout(r, 200));
    return ((await ask(n2.address))!.udp[n1.address] ?? 0) - before;
  }

  const connectMs = (from: string, to: string): Promise<number> => connectBetween(cluster, from, to);

  beforeAll(async () => {
    cluster = await provider.up();
    await Promise.all(cluster.nodes.map((n) => db.setup(nodeContext(dbContext(), n))));
    nemesis = new PacketNemesis({ nodes: ['n1', 'n2', 'n3'], db, rng: makeRng(3) });
  });

  afterAll(async () => {
    await nemesis?.teardown(dbContext());
    await provider.down();
    expect(await runLeftovers(PREFIX)).toEqual([]);
  });

  it('loss: the measured rate is within 4 points of the requested 20%', async () => {
    expect(await udpDelivered(500)).toBeGreaterThanOrEqual(495);
    const c = await nemesis.invoke(dbContext(), { f: 'start-packet', value: { loss: 0.2, links: [{ from: 'n1', to: 'n2' }] } }, { signal });
    expect(c.type).toBe('ok');
    const sent = 3000;
    const lost = 1 - (await udpDelivered(sent)) / sent;
    expect(Math.abs(lost - 0.2)).toBeLessThan(0.04);
    expect((await nemesis.invoke(dbContext(), { f: 'stop-packet', value: null }, { signal })).type).toBe('ok');
    expect(await udpDelivered(500)).toBeGreaterThanOrEqual(495);
  });

  it('duplication: the measured extra copies are within 4 points of the requested 30%', async () => {
    await nemesis.invoke(dbContext(), { f: 'start-packet', value: { duplicate: 0.3, links: [{ from: 'n1', to: 'n2' }] } }, { signal });
    const sent = 3000;
    const extra = (await udpDelivered(sent)) / sent - 1;
    expect(Math.abs(extra - 0.3)).toBeLessThan(0.04);
    await nemesis.invoke(dbContext(), { f: 'stop-packet', value: null }, { signal });
    const after = await udpDelivered(500);
    expect(after).toBeGreaterThanOrEqual(495);
    expect(after).toBeLessThanOrEqual(500);
  });

  it('delay: added connect time is within 20% of the requested 100 ms, on the named link only', async () => {
    const base = await connectMs('n1', 'n2');
    await nemesis.invoke(dbContext(), { f: 'start-packet', value: { delayMs: 100, links: [{ from: 'n1', to: 'n2' }] } }, { signal });
    try {
      const added = (await connectMs('n1', 'n2')) - base;
      expect(added).toBeGreaterThan(80);
      expect(added).toBeLessThan(120);
      expect(await connectMs('n1', 'n3')).toBeLessThan(40);
      const t0 = performance.now();
      expect(await ask(cluster.nodes[1]!.address)).toBeDefined();
      expect(performance.now() - t0).toBeLessThan(80);
    } finally {
      await nemesis.invoke(dbContext(), { f: 'stop-packet', value: null }, { signal });
    }
    expect((await connectMs('n1', 'n2')) - base).toBeLessThan(40);
  });

  it('rate limit: a 1 MB transfer on the limited link takes about size / rate', async () => {
    const n2 = cluster.nodes[1]!;
    const transfer = async () => {
      const t0 = performance.now();
      await cluster.remote('n1').exec(['sh', '-c', `head -c 1000000 /dev/zero | nc -N -w 10 ${n2.address} 7071`]);
      return performance.now() - t0;
    };
    const sink = await cluster.remote('n2').spawnDaemon({ argv: ['nc', '-lk', n2.address, '7071'], logFile: `${WORK}/logs/sink.log` });
    try {
      await new Promise((r) => setTimeout(r, 200));
      await nemesis.invoke(dbContext(), { f: 'start-packet', value: { rateKbit: 4000, links: [{ from: 'n1', to: 'n2' }] } }, { signal });
      const limited = await transfer();
      // 8 Mbit at 4 Mbit/s is about 2 s.
      expect(limited).toBeGreaterThan(1500);
      expect(limited).toBeLessThan(4000);
      await nemesis.invoke(dbContext(), { f: 'stop-packet', value: null }, { signal });
      expect(await transfer()).toBeLessThan(1000);
    } finally {
      await cluster.remote('n2').signal(sink, 'SIGKILL');
    }
  });
});
