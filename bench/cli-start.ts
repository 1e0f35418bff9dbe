/**
 * Start-up cost of the faultline command: each command run 20 times as a whole process (as a
 * user's shell or CI runs it), printing min and median wall time. Targets on a 2-core machine:
 * --version <= 150 ms, check of a 100-op EDN history <= 300 ms, list <= 300 ms (median).
 *
 *   npx tsx bench/cli-start.ts [runs]
 *
 * Runs the compiled CLI (`npm run build` first); FAULTLINE_FROM_SOURCES=1 measures the
 * TypeScript sources through tsx instead, for comparison.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', 'bin', 'faultline.js');
const runs = Number(process.argv[2] ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'cli-start-'));

/** A linearizable 100-op register history (50 writes and 50 reads, one process at a time). */
function history(): string {
  const lines: string[] = [];
  for (let i = 0; i < 50; i++) {
    lines.push(`{:process 0 :type :invoke :f :write :value ${i}}`, `{:process 0 :type :ok :f :write :value ${i}}`);
    lines.push(`{:process 1 :type :invoke :f :read :value nil}`, `{:process 1 :type :ok :f :read :value ${i}}`);
  }
  return lines.join('\n') + '\n';
}

const edn = join(dir, 'history.edn');
writeFileSync(edn, history());

const commands: [string, string[], number][] = [
  ['faultline --version', ['--version'], 0],
  ['faultline check (100-op EDN)', ['check', edn, '--model', 'register', '--init', '0'], 0],
  ['faultline list', ['list'], 0],
  ['faultline --help', ['--help'], 0],
];

const fmt = (ms: number): string => `${ms.toFixed(0).padStart(5)} ms`;
console.log(`${runs} runs each, ${process.env['FAULTLINE_FROM_SOURCES'] === '1' ? 'TypeScript sources (tsx)' : 'compiled dist/'}`);
console.log(`${'command'.padEnd(32)} ${'min'.padStart(8)} ${'median'.padStart(8)}`);
try {
  for (const [name, args, expectedExit] of commands) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      times.push(performance.now() - t0);
      if (r.status !== expectedExit) throw new Error(`${name} exited ${r.status}: ${r.stderr.toString().slice(0, 300)}`);
    }
    times.sort((a, b) => a - b);
    console.log(`${name.padEnd(32)} ${fmt(times[0]!)} ${fmt(times[Math.floor(times.length / 2)]!)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
