/**
 * Runs test files again and again, to find flaky tests: `npm run repeat -- FILE... [--times N]`
 * (default 10). Each run is a fresh vitest process; the suite's global set-up runs once, here,
 * around all of them (so what it starts, such as the Docker engine, stays up for every run).
 * Every failure is reported with its run number, test name and first error line; a run that skips
 * tests another run ran counts as failed (a pass over skipped tests is no pass), and the exit code
 * is 1 when any run failed.
 *
 *   npm run repeat -- test/local/ssh.test.ts --times 10
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import globalSetup from './global-setup.ts';

interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  testResults: { name: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}

const args = process.argv.slice(2);
const timesAt = args.indexOf('--times');
const times = timesAt >= 0 ? Number(args[timesAt + 1]) : 10;
const files = args.filter((_, i) => i !== timesAt && i !== timesAt + 1);
if (files.length === 0 || !(times >= 1)) {
  console.error('usage: npm run repeat -- FILE... [--times N]');
  process.exit(254);
}

/** A failure's first line, and for a failed equality the received lines of its diff (what it got). */
function whatFailed(message: string): string {
  const lines = message.split('\n');
  const received = lines.filter((l) => /^\s*\+\s/.test(l) && !/Received/.test(l)).slice(0, 4).map((l) => l.trim());
  return [lines[0], ...received].join(' | ');
}

const dir = mkdtempSync(join(tmpdir(), 'repeat-'));
const failures: string[] = [];
const skippedPerRun = new Map<number, number>();
const passedRuns = new Set<number>();
const tearDown = await globalSetup();
try {
  for (let run = 1; run <= times; run++) {
    const out = join(dir, `run-${run}.json`);
    const t0 = performance.now();
    spawnSync('npx', ['vitest', 'run', ...files, '--reporter=json', `--outputFile=${out}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, FAULTLINE_SKIP_SETUP: '1' },
    });
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    let report: JsonReport;
    try {
      report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
    } catch {
      failures.push(`run ${run}: vitest wrote no report (crashed?)`);
      console.log(`run ${run}/${times}: no report (${seconds} s)`);
      continue;
    }
    const failed = report.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === 'failed').map((a) => ({ file: f.name, a })));
    for (const { a } of failed) failures.push(`run ${run}: ${a.fullName}: ${whatFailed(a.failureMessages[0] ?? '')}`);
    if (failed.length === 0 && report.numPassedTests > 0) passedRuns.add(run);
    skippedPerRun.set(run, report.numPendingTests);
    console.log(`run ${run}/${times}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped (${seconds} s)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  tearDown();
}
const fewestSkipped = Math.min(...skippedPerRun.values());
for (const [run, skipped] of skippedPerRun) {
  if (skipped > fewestSkipped) {
    failures.push(`run ${run}: skipped ${skipped} tests where another run skipped ${fewestSkipped}`);
    passedRuns.delete(run);
  }
}
console.log(`\n${files.join(' ')}: ${passedRuns.size} of ${times} runs passed`);
for (const f of failures) console.log(`  ${f}`);
process.exit(failures.length > 0 ? 1 : 0);
