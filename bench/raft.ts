// Throughput of the bundled Raft store: 5 node processes on loopback, 10 concurrent clients doing
// register reads and writes (half each) against the leader for ~10 s, no faults.
// Run: npx tsx bench/raft.ts [--seconds 10] [--clients 10] [--nodes 5] [--reads 0.5]
// Prints throughput, the CPU the node processes and the clients spent per op (less sensitive to
// other load on the machine than ops/s), and latency percentiles.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { StoreClient } from '../src/stores/client.ts';
import { LocalCluster } from '../src/stores/local-cluster.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '10' },
    nodes: { type: 'string', default: '5' },
    reads: { type: 'string', default: '0.5' },
  },
});
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const nodes = Number(values.nodes);
const readShare = Number(values.reads);

/** CPU time (user + system) a process has used, in ms, from /proc (Linux). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

const cluster = await LocalCluster.start({ store: 'raft', size: nodes });
try {
  const leader = await cluster.waitForLeader();
  const counts = { ok: 0, fail: 0, info: 0 };
  const latencies: number[] = [];
  const nodeCpu = (): number[] => cluster.ids.map(id => cpuMs(cluster.pid(id)));
  const cpuBefore = nodeCpu();
  const clientCpuBefore = process.cpuUsage();
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const client = new StoreClient(cluster.address(leader));
      for (let i = 0; performance.now() < end; i++) {
        const key = (c * 7 + i) % 8;
        const t0 = performance.now();
        const out = Math.random() < readShare ? await client.read(key) : await client.write(key, i);
        latencies.push(performance.now() - t0);
        counts[out.type]++;
      }
      client.close();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const perNode = nodeCpu().map((ms, i) => ms - cpuBefore[i]!);
  const serverCpu = perNode.reduce((a, b) => a + b, 0);
  const leaderCpu = perNode[cluster.ids.indexOf(leader)]!;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  latencies.sort((a, b) => a - b);
  const total = counts.ok + counts.fail + counts.info;
  const share = Math.round(readShare * 100);
  console.log(`raft: ${nodes} nodes, ${clients} clients, ${elapsed.toFixed(1)} s, ${share}% reads / ${100 - share}% writes`);
  console.log(`  ops/s (ok): ${(counts.ok / elapsed).toFixed(0)}   total ops: ${total}   ok ${counts.ok}  fail ${counts.fail}  info ${counts.info}`);
  console.log(
    `  cpu: nodes ${(serverCpu / counts.ok).toFixed(3)} ms/op (leader ${(leaderCpu / counts.ok).toFixed(3)}; ` +
      `${(serverCpu / 1000 / elapsed).toFixed(2)} cores), ` +
      `clients ${((clientCpu.user + clientCpu.system) / 1000 / counts.ok).toFixed(3)} ms/op`,
  );
  console.log(
    `  latency ms: p50 ${percentile(latencies, 0.5).toFixed(2)}  p99 ${percentile(latencies, 0.99).toFixed(2)}  max ${percentile(latencies, 1).toFixed(2)}`,
  );
} finally {
  await cluster.destroy();
}
