/**
 * Time to apply and to heal a partition on a real 5-node local cluster (target: < 100 ms each).
 * Applies a fresh majority/minority grudge and heals it, many times, and prints the median, p95
 * and max of each step. Needs root. Run: npx tsx bench/partition.ts [rounds]
 */
import { makeRng } from '../src/generator/rng.ts';
import { majorityMinority } from '../src/net/grudge.ts';
import { localProvider } from '../src/providers/local/provider.ts';

const rounds = Number(process.argv[2] ?? 50);
const provider = localProvider({ prefix: 'flbench', subnet: '10.213.21.0/24', nodes: 5, fakeClock: false });

function stats(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => (s[Math.min(s.length - 1, Math.floor(q * s.length))] as number).toFixed(1);
  return `median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${(s[s.length - 1] as number).toFixed(1)} ms`;
}

const t0 = performance.now();
const cluster = await provider.up();
const upMs = performance.now() - t0;
try {
  const net = cluster.net!;
  const names = cluster.nodes.map((n) => n.name);
  const rng = makeRng(1);
  const apply: number[] = [];
  const heal: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const grudge = majorityMinority(names, rng);
    let t = performance.now();
    await net.partition(grudge);
    apply.push(performance.now() - t);
    t = performance.now();
    await net.healPartition();
    heal.push(performance.now() - t);
  }
  console.log(`local provider up (5 nodes, cleanup first): ${upMs.toFixed(0)} ms`);
  console.log(`apply 5-node majority/minority partition (${rounds} rounds): ${stats(apply)}`);
  console.log(`heal (${rounds} rounds): ${stats(heal)}`);
} finally {
  const t = performance.now();
  await provider.down();
  console.log(`local provider down: ${(performance.now() - t).toFixed(0)} ms`);
}
