/**
 * Detection power of the harness against the bundled stores' known weaknesses: for every
 * weakness in the self-test matrix, runs it under several seeds and counts the runs whose verdict
 * names the weakness (invalid, with the expected anomaly kind and nothing the design rules out).
 * The goal is every weakness found in at least 4 of 5 seeds with 60-second runs.
 *
 *   npx tsx bench/detection.ts [--time-limit 60] [--seeds 5] [--only <id substring>]
 *     [--results-dir DIR] [--prefix flb] [--subnet 10.217.1.0/24]
 *
 * --only takes comma-separated id substrings (e.g. raft,leader-follower).
 * Needs root (local network namespaces). Prints one row per weakness and a summary line.
 *
 *   npx tsx bench/detection.ts --sim [--time-limit 60] [--seeds 5] [--only raft/lease-reads,sharded/no-2pc]
 *
 * --sim measures every bug flag of the reference stores in the deterministic simulator instead
 * (no root): each Raft flag by --seeds searches of `faultline sim` from different base seeds, each
 * with --time-limit wall-clock seconds (bench/raft-sim.ts); each sharded flag, and the correct
 * sharded store, by --seeds simulated runs of --time-limit simulated seconds under partitions,
 * kills and rebalancing (bench/sharded-sim.ts).
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CASES } from '../test/selftest/cases.ts';
import { cannotRunLocally, runCase } from '../test/selftest/run-case.ts';
import { judge } from '../test/selftest/verdict.ts';

const { values } = parseArgs({
  options: {
    'time-limit': { type: 'string', default: '60' },
    seeds: { type: 'string', default: '5' },
    only: { type: 'string' },
    'results-dir': { type: 'string', default: path.join(os.tmpdir(), 'faultline-detection') },
    prefix: { type: 'string', default: 'flb' },
    subnet: { type: 'string', default: '10.217.1.0/24' },
    sim: { type: 'boolean', default: false },
  },
});

if (values.sim) {
  const only = values.only?.split(',').filter(Boolean);
  const { raftSimDetection } = await import('./raft-sim.ts');
  const { RAFT_BUGS } = await import('../src/stores/raft/node.ts');
  const { availableParallelism } = await import('node:os');
  const raftBugs = RAFT_BUGS.filter((b) => !only || only.some((o) => `raft/${b}`.includes(o)));
  if (raftBugs.length > 0) await raftSimDetection({ bugs: raftBugs, budgetS: Number(values['time-limit']), runs: Number(values.seeds), workers: Math.min(availableParallelism(), 8) });
  const { SHARDED_BUGS } = await import('../src/stores/sharded/node.ts');
  const shardedIds = ['sharded/list-append', 'sharded/rw-register', ...SHARDED_BUGS.map((b) => `sharded/${b}`)];
  if (!only || shardedIds.some((id) => only.some((o) => id.includes(o)))) {
    const { shardedSimDetection } = await import('./sharded-sim.ts');
    await shardedSimDetection({ seconds: Number(values['time-limit']), seeds: Number(values.seeds), only });
  }
  process.exit(0);
}

const why = cannotRunLocally();
if (why) {
  process.stderr.write(`detection: ${why}\n`);
  process.exit(2);
}
const timeLimitS = Number(values['time-limit']);
const seeds = Number(values.seeds);
if (!(timeLimitS > 0) || !Number.isInteger(seeds) || seeds < 1) {
  process.stderr.write('detection: --time-limit must be positive and --seeds a positive integer\n');
  process.exit(254);
}

const only = values.only?.split(',').filter(Boolean);
const weaknesses = CASES.filter(c => !c.expect.valid && (!only || only.some(o => c.id.includes(o))));
console.log(`detection power: ${weaknesses.length} weaknesses x ${seeds} seeds, ${timeLimitS} s runs`);
console.log(`${'weakness'.padEnd(24)} ${'found'.padStart(5)}  per seed (+ found, - missed, ! run broke)  wall s/run  anomalies seen`);
let strong = 0;
for (const c of weaknesses) {
  let found = 0;
  let marks = '';
  let wall = 0;
  const seen = new Set<string>();
  for (let seed = 1; seed <= seeds; seed++) {
    const started = performance.now();
    const out = await runCase(c, {
      timeLimitS,
      seed,
      resultsDir: values['results-dir'],
      prefix: values.prefix,
      subnet: values.subnet,
    });
    wall += (performance.now() - started) / 1000;
    for (const t of out.anomalyTypes) seen.add(t);
    if (out.error) {
      marks += '!';
      process.stderr.write(`${c.id} seed ${seed}: ${out.error}\n`);
    } else if (judge(c.expect, out).pass) {
      found++;
      marks += '+';
    } else {
      marks += '-';
    }
  }
  if (found * 5 >= seeds * 4) strong++;
  const ratio = `${found}/${seeds}`;
  console.log(`${c.id.padEnd(24)} ${ratio.padStart(5)}  ${marks.padEnd(42)} ${(wall / seeds).toFixed(0).padStart(10)}  ${[...seen].sort().join(', ') || '-'}`);
}
console.log(`${strong} of ${weaknesses.length} weaknesses found in at least 4 of 5 seeds`);
