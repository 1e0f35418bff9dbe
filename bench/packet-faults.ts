/**
 * How close the packet faults come to what was asked, on a real 3-node local cluster: UDP loss and
 * duplication rates (3000 datagrams n1 -> n2), and the added TCP connect time for a delay, with
 * and without jitter. Prints requested vs measured. Needs root. Run: npx tsx bench/packet-faults.ts
 */
import type { Cluster } from '../src/core/provider.ts';
import { localProvider } from '../src/providers/local/provider.ts';
import { PORT, PROBE, ask, startProbe, waitServing } from '../test/local/helpers.ts';

const provider = localProvider({ prefix: 'flbpk', subnet: '10.213.22.0/24', nodes: 3, fakeClock: false });
const cluster: Cluster = await provider.up();
const [n1, n2] = [cluster.nodes[0]!, cluster.nodes[1]!];
const link = [{ from: 'n1', to: 'n2' }];

async function delivered(count: number): Promise<number> {
  const before = (await ask(n2.address))!.udp[n1.address] ?? 0;
  await cluster.remote('n1').exec([process.execPath, PROBE, 'udp', `${n2.address}:${PORT}`, String(count)]);
  await new Promise((r) => setTimeout(r, 300));
  return ((await ask(n2.address))!.udp[n1.address] ?? 0) - before;
}

async function connectMs(): Promise<number[]> {
  const r = await cluster.remote('n1').exec([process.execPath, PROBE, 'rtt', `${n2.address}:${PORT}`, '21']);
  return (JSON.parse(r.stdout) as number[]).sort((a, b) => a - b);
}

try {
  for (const n of cluster.nodes) await startProbe(cluster, n, `/tmp/faultline-flbpk/logs`);
  for (const n of cluster.nodes) await waitServing(n.address);
  const net = cluster.net!;
  const sent = 3000;
  for (const loss of [0.05, 0.2, 0.5]) {
    await net.packet({ links: link, loss });
    console.log(`loss ${(loss * 100).toFixed(0)}% requested: measured ${((1 - (await delivered(sent)) / sent) * 100).toFixed(1)}% of ${sent} datagrams`);
  }
  for (const duplicate of [0.1, 0.3]) {
    await net.packet({ links: link, duplicate });
    console.log(`duplication ${(duplicate * 100).toFixed(0)}% requested: measured ${(((await delivered(sent)) / sent - 1) * 100).toFixed(1)}% extra copies`);
  }
  await net.healPacket();
  const base = await connectMs();
  const med = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
  console.log(`baseline TCP connect n1 -> n2: median ${med(base).toFixed(2)} ms`);
  for (const [delayMs, jitterMs] of [[20, 0], [100, 0], [50, 20]] as const) {
    await net.packet({ links: link, delayMs, jitterMs });
    const t = await connectMs();
    console.log(
      `delay ${delayMs} ms + jitter ${jitterMs} ms requested: added median ${(med(t) - med(base)).toFixed(1)} ms, min ${(t[0]! - med(base)).toFixed(1)}, max ${(t[t.length - 1]! - med(base)).toFixed(1)}`,
    );
  }
  await net.healPacket();
} finally {
  await provider.down();
}
