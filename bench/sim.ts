/**
 * How fast `faultline sim` searches and how surely it finds the reference stores' bugs:
 *
 *   throughput  each bundled node logic (--dbs: the reference stores and the example node), seed
 *               after seed in this thread for --seconds of wall-clock time, 5 nodes, register
 *               workload, the default faults: seeds/s, simulated seconds and simulated client ops
 *               per wall second, and simulated seconds per CPU second (less sensitive to other
 *               work on the machine), after one warm-up seed. Each seed is checked as in a
 *               search; flawed stores go on after a failure here, so every store is measured for
 *               the whole time.
 *   workers     the raft search on 1 and on --workers worker threads (what `faultline sim` runs)
 *   detection   for each raft bug flag, --runs searches from different base seeds, each with a
 *               --budget of wall-clock seconds: in how many the flag was found, after how many
 *               seeds and seconds, by which checker
 *   correct     --correct-minutes of seeds of the correct raft store under the default fault
 *               kinds or --nemesis: none may fail
 *
 *   npx tsx bench/sim.ts [throughput] [workers] [detection] [correct] [--seconds 20] [--budget 60]
 *     [--runs 5] [--workers N] [--correct-minutes 10] [--nemesis membership,partition,kill]
 *     [--bug stale-reads,...] [--dbs reference:raft,...]
 *   npm run bench:sim                       # all four with the defaults (up to 40 minutes)
 *
 * Prints one line per measurement and the machine's load average (the machine may be shared).
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { builtinParts } from '../src/plugins/registry.ts';
import { SILENT } from '../src/runner/context.ts';
import { planSim } from '../src/sim/plan.ts';
import { summarize, type SeedSummary } from '../src/sim/search.ts';
import { runSeed } from '../src/sim/seed-run.ts';
import { REFERENCE_DBS } from '../src/db/reference/entries.ts';
import { RAFT_BUGS } from '../src/stores/raft/node.ts';
import { defaultSimSpec, loadAverage as load, raftSimDetection, simSearch } from './raft-sim.ts';

const EXAMPLE_DB = new URL('../examples/sim-node/db.ts', import.meta.url).pathname;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string', default: '20' },
    budget: { type: 'string', default: '60' },
    runs: { type: 'string', default: '5' },
    workers: { type: 'string', default: String(Math.min(availableParallelism(), 8)) },
    'correct-minutes': { type: 'string', default: '10' },
    bug: { type: 'string', default: RAFT_BUGS.join(',') },
    dbs: { type: 'string', default: [...REFERENCE_DBS.map((d) => d.name), EXAMPLE_DB].join(',') },
    nemesis: { type: 'string' },
  },
});
const parts = positionals.length ? positionals : ['throughput', 'workers', 'detection', 'correct'];
const workers = Number(values.workers);

const perS = (n: number, s: number): string => (n / s).toFixed(n / s < 10 ? 1 : 0);

if (parts.includes('throughput')) {
  const seconds = Number(values.seconds);
  for (const db of values.dbs.split(',')) {
    const plan = await planSim(defaultSimSpec([], db), builtinParts(), SILENT);
    await runSeed(plan, { seed: 0 }); // modules loaded and code warm before the clock starts
    const cpu = process.cpuUsage();
    const started = performance.now();
    const seen: SeedSummary[] = [];
    for (let seed = 1; performance.now() - started < seconds * 1000; seed++) seen.push(summarize(await runSeed(plan, { seed }, { measurements: false })));
    const wallS = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuS = (used.user + used.system) / 1e6;
    const sum = (f: (s: SeedSummary) => number): number => seen.reduce((a, s) => a + f(s), 0);
    const simS = sum((s) => s.simMs) / 1000;
    const failed = seen.filter((s) => s.failed).length;
    console.log(
      `throughput ${plan.db.name}, 5 nodes, register, 1 thread: ${seen.length} seeds in ${wallS.toFixed(1)} s, ${perS(seen.length, wallS)} seeds/s, ` +
        `${perS(simS, wallS)} simulated s and ${perS(sum((s) => s.ops), wallS)} simulated ops per wall s, ${perS(sum((s) => s.events), wallS)} events/s, ` +
        `${perS(simS, cpuS)} simulated s per CPU s; ${failed} seeds failed (load ${load()})`,
    );
  }
}

if (parts.includes('workers')) {
  const seconds = Number(values.seconds);
  for (const w of [...new Set([1, workers])]) {
    const { r, simS, cpuS, wallS, seeds } = await simSearch(defaultSimSpec([]), { baseSeed: 1, budgetS: seconds, workers: w });
    console.log(
      `search reference:raft, 5 nodes, register, ${w} worker${w > 1 ? 's' : ''}: ${seeds} seeds in ${wallS.toFixed(1)} s, ${perS(seeds, wallS)} seeds/s, ` +
        `${perS(simS, wallS)} simulated s per wall s, ${perS(simS, cpuS)} per CPU s${r.failure ? `; FAILED at seed ${r.failure.seed}` : ''} (load ${load()})`,
    );
  }
}

if (parts.includes('detection')) {
  await raftSimDetection({ bugs: values.bug.split(','), budgetS: Number(values.budget), runs: Number(values.runs), workers });
}

if (parts.includes('correct')) {
  const budgetS = Number(values['correct-minutes']) * 60;
  const nemesis = values.nemesis?.split(',');
  const { r, simS, wallS, seeds } = await simSearch(defaultSimSpec([], 'reference:raft', nemesis), { baseSeed: 7_000_000, budgetS, workers });
  const liveness = r.summaries.filter((s) => s.liveness.length > 0).length;
  console.log(
    `correct raft${nemesis ? ` under ${nemesis.join(',')}` : ''}: ${seeds} seeds (${simS.toFixed(0)} simulated s) in ${wallS.toFixed(0)} s: ` +
      `${r.failure ? `FAILED at seed ${r.failure.seed} (${r.failure.failedCheckers.join(',')})` : 'no failure'}; ${liveness} seeds with liveness findings only (load ${load()})`,
  );
}
