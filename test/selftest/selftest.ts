/**
 * The self-test: runs every bundled store, mode and bug flag under the faults that expose it and
 * checks that the verdict is the one the design predicts (raft valid, each weakness invalid with
 * the right anomaly kind). Prints one line per case and exits 1 if any case disagrees.
 *
 *   npx tsx test/selftest/selftest.ts [--short] [--only <id substring>] [--time-limit S] [--seed N]
 *     [--results-dir DIR]
 *
 * --short runs the CI subset with 15-second runs; the full matrix runs 30 seconds per case.
 * Needs root (local network namespaces; prefix fls, subnet 10.217.0.0/24).
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CASES } from './cases.ts';
import { cannotRunLocally, runCase } from './run-case.ts';
import { judge } from './verdict.ts';

const { values } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    only: { type: 'string' },
    'time-limit': { type: 'string' },
    seed: { type: 'string', default: '1' },
    'results-dir': { type: 'string', default: path.join(os.tmpdir(), 'faultline-selftest') },
  },
});

const why = cannotRunLocally();
if (why) {
  process.stderr.write(`selftest: ${why}\n`);
  process.exit(2);
}
const timeLimitS = Number(values['time-limit'] ?? (values.short ? 15 : 30));
const seed = Number(values.seed);
if (!(timeLimitS > 0) || !Number.isInteger(seed)) {
  process.stderr.write('selftest: --time-limit must be positive and --seed an integer\n');
  process.exit(254);
}
const cases = CASES.filter(c => (!values.short || c.short) && (!values.only || c.id.includes(values.only)));
let failed = 0;
for (const c of cases) {
  const started = performance.now();
  const out = await runCase(c, { timeLimitS, seed, resultsDir: values['results-dir'] });
  const j = out.error ? { pass: false, reason: `run broke: ${out.error}` } : judge(c.expect, out);
  if (!j.pass) failed++;
  const secs = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`${j.pass ? 'PASS' : 'FAIL'}  ${c.id.padEnd(26)} ${secs.padStart(4)} s  ${j.reason}${j.pass ? '' : `  [${out.runDir ?? 'no run dir'}]`}`);
}
console.log(`${cases.length - failed} of ${cases.length} cases as predicted (seed ${seed}, ${timeLimitS} s runs)`);
process.exit(failed ? 1 : 0);
