/**
 * What the fault filesystem costs a real database: the same run with every node's directory on a
 * fault filesystem (mounted by the power-loss nemesis, whose first fault is scheduled after the
 * run ends, so no fault is ever active) and on the plain directory, side by side, alternating.
 * Prints throughput (ok ops/s) and the median and p99 latency of ok writes, for the reference raft
 * store and for etcd (when installed). Needs root and FUSE.
 *
 *   npx tsx bench/disk-db-overhead.ts [rounds=2] [seconds=20]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const rounds = Number(process.argv[2] ?? 2);
const seconds = Number(process.argv[3] ?? 20);
const BIN = join(import.meta.dirname, '..', 'bin', 'faultline.js');
const results = mkdtempSync(join(tmpdir(), 'disk-db-overhead-'));

interface Measure {
  opsPerS: number;
  writeP50: number;
  writeP99: number;
}

function runOnce(db: string, mounted: boolean): Measure {
  const args = [BIN, 'test', '--db', db, '--workload', 'register', '--time-limit', String(seconds), '--rate', '0', '--concurrency', '10',
    '--recovery', '0', '--results-dir', results, '--json', '--no-progress', '--opt', 'local.prefix=flbd', '--opt', 'local.subnet=10.222.9.0/24',
    ...(mounted ? ['--nemesis', 'power-loss', '--nemesis-interval', String(seconds * 100)] : ['--nemesis', 'none'])];
  let out: string;
  try {
    out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
  } catch (e) {
    out = (e as { stdout: string }).stdout;
  }
  const doc = JSON.parse(out) as { checkers: { perf: { opsPerSecond: number; latency: Record<string, Record<string, { quantilesMs: Record<string, number> }>> } } };
  const w = doc.checkers.perf.latency['write']?.['ok']?.quantilesMs ?? {};
  return { opsPerS: doc.checkers.perf.opsPerSecond, writeP50: w['0.5'] ?? NaN, writeP99: w['0.99'] ?? NaN };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number, w = 9): string => x.toFixed(1).padStart(w);

const dbs = ['reference:raft', ...(existsSync('/usr/bin/etcd') ? ['etcd'] : [])];
console.log(`${rounds} rounds of ${seconds} s each, register workload, 10 clients, no rate limit`);
console.log(`${'db'.padEnd(16)} ${'disk'.padEnd(10)} ${'ops/s'.padStart(9)} ${'write p50'.padStart(9)} ${'write p99'.padStart(9)}  (ms)`);
try {
  for (const db of dbs) {
    const plain: Measure[] = [];
    const faultfs: Measure[] = [];
    for (let r = 0; r < rounds; r++) {
      plain.push(runOnce(db, false));
      faultfs.push(runOnce(db, true));
    }
    for (const [name, m] of [['plain', plain], ['faultfs', faultfs]] as const) {
      console.log(`${db.padEnd(16)} ${name.padEnd(10)} ${fmt(median(m.map((x) => x.opsPerS)))} ${fmt(median(m.map((x) => x.writeP50)))} ${fmt(median(m.map((x) => x.writeP99)))}`);
    }
    console.log(`${db.padEnd(16)} ${'ratio'.padEnd(10)} ${fmt(median(plain.map((x) => x.opsPerS)) / median(faultfs.map((x) => x.opsPerS)), 9)}x slower with faultfs`);
  }
} finally {
  rmSync(results, { recursive: true, force: true });
}
