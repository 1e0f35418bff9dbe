/**
 * Linearizability checking at scale: the 10-client single-register history of
 * bench/register-history.ts (reads, writes and cas with unique values, each op taking effect at
 * its completion) at 10k to 1M ops, each checked in a fresh process with
 * `faultline check FILE --model cas-register` (the one-pass path: read, validated and checked as
 * it streams). Prints one row per size: ops | Faultline s (the whole command) | check s (what the
 * command reports: reading and checking, without starting Node and loading the sources) | µs per
 * op of the check | CPU s | RSS MB | Porcupine s, and the load average (the machine is shared:
 * wall times depend on it).
 *
 *   npm run bench:lin-scale -- [--sizes 10000,50000,100000,250000,1000000] [--seed 1] [--invalid]
 *
 * --invalid injects one stale read at 90% of each history and shows how long the counterexample
 * takes and what it names.
 *
 * The Porcupine column needs a driver built from bench/porcupine-driver/main.go (Porcupine is
 * fetched and built outside this repository, never committed), e.g. with Debian's golang-go:
 *
 *   git clone https://github.com/anishathalye/porcupine /tmp/porcupine
 *   mkdir -p /tmp/pd && cp bench/porcupine-driver/main.go /tmp/pd/ && cd /tmp/pd
 *   go mod init porcupine-driver
 *   go mod edit -require github.com/anishathalye/porcupine@v0.0.0 -replace github.com/anishathalye/porcupine=/tmp/porcupine
 *   GOFLAGS=-mod=mod go build -o porcupine-driver .
 *   PORCUPINE_DRIVER=/tmp/pd/porcupine-driver PORCUPINE_TIMEOUT=120 npm run bench:lin-scale
 *
 * Without PORCUPINE_DRIVER the column shows "—". After Porcupine times out on one size, the
 * larger ones are not tried. Generated histories go to a temporary directory, removed at exit.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { writeRegisterHistory } from './register-history.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TIME = '/usr/bin/time';

interface FaultlineRun {
  valid: unknown;
  wallS: number;
  checkS: number;
  cpuS: number | undefined;
  rssMb: number | undefined;
  counterexample: { op?: { index: number; f: string; value: unknown }; reason?: string } | undefined;
}

/** Runs the check in a fresh process; wall from this side, CPU and max RSS from /usr/bin/time when present. */
async function faultline(file: string): Promise<FaultlineRun> {
  const args = [path.join(root, 'bin/faultline.js'), 'check', file, '--model', 'cas-register', '--json'];
  const timed = existsSync(TIME);
  const started = performance.now();
  const out = await run(timed ? TIME : process.execPath, timed ? ['-f', 'TIME %U %S %M', process.execPath, ...args] : args, { maxBuffer: 1 << 28 }).catch(
    (e: { stdout?: string; stderr?: string; code?: number }) => {
      // Exit code 1 is an invalid verdict, not a failure.
      if (e.code === 1 && e.stdout) return { stdout: e.stdout, stderr: e.stderr ?? '' };
      throw e;
    },
  );
  const wallS = (performance.now() - started) / 1000;
  const result = JSON.parse(out.stdout) as { valid: unknown; elapsedMs: number; checkers: { linearizable: { counterexample?: FaultlineRun['counterexample'] } } };
  const t = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(out.stderr);
  return {
    valid: result.valid,
    wallS,
    checkS: result.elapsedMs / 1000,
    cpuS: t ? Number(t[1]) + Number(t[2]) : undefined,
    rssMb: t ? Number(t[3]) / 1024 : undefined,
    counterexample: result.checkers.linearizable.counterexample,
  };
}

interface PorcupineRun {
  result: string;
  seconds: number;
}

async function porcupine(driver: string, file: string, timeoutS: number): Promise<PorcupineRun> {
  const out = await run(driver, [file, String(timeoutS)], { maxBuffer: 1 << 20 });
  const r = JSON.parse(out.stdout) as { result: string; ms: number };
  return { result: r.result, seconds: r.ms / 1000 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sizes: { type: 'string' }, seed: { type: 'string' }, invalid: { type: 'boolean' } } });
  const sizes = (values.sizes ?? '10000,50000,100000,250000,1000000').split(',').map(Number);
  const seed = Number(values.seed ?? 1);
  const driver = process.env['PORCUPINE_DRIVER'];
  const porcupineTimeout = Number(process.env['PORCUPINE_TIMEOUT'] ?? 120);
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-lin-scale-'));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
  let porcupineGaveUp = false;
  try {
    console.log(`10-client cas-register histories, seed ${seed}${values.invalid ? ', one stale read at 90%' : ''}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`${'ops'.padStart(9)} | ${'Faultline s'.padStart(11)} | ${'check s'.padStart(7)} | ${'µs/op'.padStart(6)} | ${'CPU s'.padStart(6)} | ${'RSS MB'.padStart(6)} | ${'Porcupine s'.padStart(11)} | verdict`);
    for (const ops of sizes) {
      const file = path.join(dir, `register-${ops}.jsonl`);
      await writeRegisterHistory(file, { ops, processes: 10, seed, ...(values.invalid ? { staleReadAt: Math.floor(ops * 0.9) } : {}) });
      const f = await faultline(file);
      let p = '—';
      if (driver && !porcupineGaveUp) {
        const r = await porcupine(driver, file, porcupineTimeout);
        porcupineGaveUp = r.result === 'unknown';
        p = porcupineGaveUp ? `> ${porcupineTimeout}` : `${r.seconds.toFixed(2)}${r.result === (f.valid === true ? 'ok' : 'illegal') ? '' : ` (${r.result}!)`}`;
      }
      const verdict = f.valid === true ? 'valid' : f.valid === false ? 'invalid' : String(f.valid);
      const cell = (x: number | undefined, digits: number): string => (x === undefined ? '—' : x.toFixed(digits));
      console.log(
        `${String(ops).padStart(9)} | ${f.wallS.toFixed(2).padStart(11)} | ${f.checkS.toFixed(2).padStart(7)} | ${((f.checkS * 1e6) / ops).toFixed(1).padStart(6)} | ${cell(f.cpuS, 2).padStart(6)} | ${cell(f.rssMb, 0).padStart(6)} | ${p.padStart(11)} | ${verdict}`,
      );
      if (f.counterexample) console.log(`${''.padStart(9)}   counterexample: ${f.counterexample.reason ?? '(no reason)'}`);
      rmSync(file);
    }
    console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
