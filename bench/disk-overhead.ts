/**
 * Fault filesystem overhead: the same file workloads on a plain directory and on a fault
 * filesystem with no fault active (both on the same disk), side by side in one run, rounds
 * alternating between the two. Workloads, all through synchronous Node fs calls as a store makes
 * them:
 *   append+fdatasync   4 KiB appends, each followed by fdatasync (a write-ahead log)
 *   atomic replace     write a 1 KiB temp file, fsync, rename over the live one, fsync the
 *                      directory (how the reference stores save their state)
 *   small files+fsync  create, write 1 KiB, fsync, close
 *   small files        create, write 1 KiB, close; no fsync (metadata passthrough cost)
 *   appends            4 KiB appends, no fsync (data passthrough cost)
 *   reads              random 4 KiB preads of a 16 MiB file (mostly the kernel's page cache)
 * Prints ops/s per round's median, the ratio plain/faultfs, p50 and p99 latency, and the fault
 * filesystem daemon's CPU time per op. Needs root, /dev/fuse and libfuse3-dev.
 *
 * Run: npx tsx bench/disk-overhead.ts [rounds=5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONTROLLER_HOST } from '../src/control/host-build.ts';
import { mountFaultFs, type FaultFs } from '../src/disk/faultfs.ts';
import { FAULTFS_SKIP } from '../src/disk/test-fixture.ts';

const rounds = Number(process.argv[2] ?? 5);
const PAGE = Buffer.alloc(4096, 'p');
const KB = Buffer.alloc(1024, 'k');

interface Workload {
  name: string;
  ops: number;
  /** Prepares `dir` before the timed part; returns the op to run `ops` times and what closes its files. */
  setup(dir: string): { op: (i: number) => void; close?: () => void };
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
}

const WORKLOADS: Workload[] = [
  {
    name: 'append+fdatasync',
    ops: 300,
    setup: (dir) => {
      const fd = fs.openSync(path.join(dir, 'wal'), 'w');
      return {
        op: (i) => {
          fs.writeSync(fd, PAGE, 0, PAGE.length, i * PAGE.length);
          fs.fdatasyncSync(fd);
        },
        close: () => fs.closeSync(fd),
      };
    },
  },
  {
    name: 'atomic replace',
    ops: 100,
    setup: (dir) => ({
      op: (i) => {
        const tmp = path.join(dir, 'state.tmp');
        const fd = fs.openSync(tmp, 'w');
        fs.writeSync(fd, KB, 0, KB.length, 0);
        fs.writeSync(fd, String(i));
        fs.fsyncSync(fd);
        fs.closeSync(fd);
        fs.renameSync(tmp, path.join(dir, 'state'));
        fsyncDir(dir);
      },
    }),
  },
  {
    name: 'small files+fsync',
    ops: 200,
    setup: (dir) => {
      fs.mkdirSync(path.join(dir, 'small'));
      return {
        op: (i) => {
          const fd = fs.openSync(path.join(dir, 'small', `f${i}`), 'w');
          fs.writeSync(fd, KB);
          fs.fsyncSync(fd);
          fs.closeSync(fd);
        },
      };
    },
  },
  {
    name: 'small files',
    ops: 2000,
    setup: (dir) => {
      fs.mkdirSync(path.join(dir, 'small'));
      return { op: (i) => fs.writeFileSync(path.join(dir, 'small', `f${i}`), KB) };
    },
  },
  {
    name: 'appends',
    ops: 20_000,
    setup: (dir) => {
      const fd = fs.openSync(path.join(dir, 'log'), 'w');
      return { op: (i) => void fs.writeSync(fd, PAGE, 0, PAGE.length, i * PAGE.length), close: () => fs.closeSync(fd) };
    },
  },
  {
    name: 'reads',
    ops: 20_000,
    setup: (dir) => {
      const file = path.join(dir, 'data');
      fs.writeFileSync(file, Buffer.alloc(16 << 20, 'd'));
      const fd = fs.openSync(file, 'r');
      const buf = Buffer.alloc(4096);
      let x = 12345;
      return {
        op: () => {
          x = (x * 1103515245 + 12345) & 0x7fffffff;
          fs.readSync(fd, buf, 0, 4096, (x % 4096) * 4096);
        },
        close: () => fs.closeSync(fd),
      };
    },
  },
];

interface Sample {
  opsPerSec: number;
  latenciesUs: number[];
  /** Daemon CPU (user + system) per op, µs; undefined for the plain directory. */
  daemonCpuUs?: number;
}

/** User + system CPU time of a process so far, in µs (clock ticks of 10 ms). */
function cpuUs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

function runOnce(w: Workload, dir: string, ffs: FaultFs | undefined): Sample {
  const work = fs.mkdtempSync(path.join(dir, 'w-'));
  if (ffs) fsyncDir(dir);
  const { op, close } = w.setup(work);
  const latenciesUs: number[] = [];
  const cpu0 = ffs ? cpuUs(ffs.pid) : 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < w.ops; i++) {
    const s = process.hrtime.bigint();
    op(i);
    latenciesUs.push(Number(process.hrtime.bigint() - s) / 1000);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const sample: Sample = { opsPerSec: w.ops / seconds, latenciesUs };
  if (ffs) sample.daemonCpuUs = (cpuUs(ffs.pid) - cpu0) / w.ops;
  close?.();
  fs.rmSync(work, { recursive: true, force: true });
  return sample;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN;
}

async function main(): Promise<void> {
  if (FAULTFS_SKIP) {
    console.error(`disk-overhead: cannot mount a fault filesystem here: ${FAULTFS_SKIP}`);
    process.exitCode = 2;
    return;
  }
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-disk-bench-'));
  const plain = path.join(base, 'plain');
  fs.mkdirSync(plain);
  let ffs: FaultFs | undefined;
  try {
    ffs = await mountFaultFs(CONTROLLER_HOST, { dir: path.join(base, 'faultfs'), tag: `bench-${process.pid}:ffs` });
    console.log(`disk-overhead: ${rounds} rounds, plain ${plain} vs fault filesystem ${ffs.dir} (same disk: ${os.tmpdir()})`);
    console.log('workload             ops  plain ops/s  faultfs ops/s  slowdown  p50 plain/faultfs µs  p99 plain/faultfs µs  daemon CPU µs/op');
    for (const w of WORKLOADS) {
      const a: Sample[] = [];
      const b: Sample[] = [];
      for (let r = 0; r < rounds; r++) {
        a.push(runOnce(w, plain, undefined));
        b.push(runOnce(w, ffs.dir, ffs));
      }
      const opsA = median(a.map((s) => s.opsPerSec));
      const opsB = median(b.map((s) => s.opsPerSec));
      const latA = a.flatMap((s) => s.latenciesUs);
      const latB = b.flatMap((s) => s.latenciesUs);
      const f = (x: number, d = 0) => x.toFixed(d);
      console.log(
        `${w.name.padEnd(18)} ${String(w.ops).padStart(6)} ${f(opsA).padStart(12)} ${f(opsB).padStart(14)} ${(f(opsA / opsB, 2) + 'x').padStart(9)}` +
          `  ${`${f(percentile(latA, 0.5), 1)} / ${f(percentile(latB, 0.5), 1)}`.padStart(20)}  ${`${f(percentile(latA, 0.99), 1)} / ${f(percentile(latB, 0.99), 1)}`.padStart(20)}` +
          `  ${f(median(b.map((s) => s.daemonCpuUs ?? 0)), 1).padStart(16)}`,
      );
    }
    const st = await ffs.status();
    console.log(`fault filesystem after the run: ${st.unsyncedBytes} unsynced bytes in ${st.unsyncedFiles} files, ${st.dirtyDirs} directories changed since their fsync`);
  } finally {
    try {
      if (ffs) await ffs.unmount();
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  }
}

await main();
