/**
 * Detection power against the Raft store's bug flags in the simulator (no root): for each flag,
 * `runs` searches of `faultline sim` (the default simulation: 5 nodes, register, the default fault
 * kinds drawn per seed) from different base seeds, each with a budget of `budgetS` wall-clock
 * seconds, and in how many the flag was found, after how many seeds and seconds, by which
 * checker; a flag that needs fault kinds beyond the default ones (membership changes) gets them.
 * Run by `bench/sim.ts detection` and `bench/detection.ts --sim`.
 */
import { loadavg } from 'node:os';
import { SIM_DEFAULTS } from '../src/cli/sim.ts';
import { builtinParts } from '../src/plugins/registry.ts';
import { SILENT } from '../src/runner/context.ts';
import { planSim, type SimSpec } from '../src/sim/plan.ts';
import { searchSeeds, type SeedSummary } from '../src/sim/search.ts';

/** Flags that need fault kinds beyond the default ones (as their descriptions say). */
const NEEDS: Readonly<Record<string, readonly string[]>> = { 'member-counted-early': ['membership', 'partition', 'kill'] };

/** The default simulation of `faultline sim` on a DB, with the bug flags given. */
export function defaultSimSpec(bug: string[], db = 'reference:raft', nemesis: readonly string[] = SIM_DEFAULTS.nemesis): SimSpec {
  return {
    db,
    workload: 'register',
    nemesis: [...nemesis],
    checkers: [],
    bug,
    nodes: Array.from({ length: SIM_DEFAULTS.nodeCount }, (_, i) => `n${i + 1}`),
    concurrency: SIM_DEFAULTS.clientsPerNode * SIM_DEFAULTS.nodeCount,
    timeLimitS: SIM_DEFAULTS.timeLimitS,
    rate: SIM_DEFAULTS.rate,
    opTimeoutMs: SIM_DEFAULTS.opTimeoutMs,
    recoveryS: SIM_DEFAULTS.recoveryS,
    options: {},
    checkerTimeS: SIM_DEFAULTS.checkerTimeS,
    resultsDir: '/nonexistent',
  };
}

export const loadAverage = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

/** One search: what it found, the simulated seconds it ran, the CPU seconds it took (workers included). */
export async function simSearch(spec: SimSpec, o: { baseSeed: number; budgetS: number; workers: number }) {
  const plan = await planSim(spec, builtinParts(), SILENT);
  const cpu = process.cpuUsage();
  const summaries: SeedSummary[] = [];
  const r = await searchSeeds(plan, { baseSeed: o.baseSeed, timeBudgetS: o.budgetS, workers: o.workers, configs: [], onSeed: (s) => summaries.push(s) }, SILENT);
  const used = process.cpuUsage(cpu);
  const simS = summaries.reduce((a, s) => a + s.simMs, 0) / 1000;
  return { r, simS, cpuS: (used.user + used.system) / 1e6, wallS: r.wallMs / 1000, seeds: summaries.length };
}

/** Prints, per flag, in how many of `runs` searches of `budgetS` wall-clock seconds it was found. */
export async function raftSimDetection(o: { bugs: readonly string[]; budgetS: number; runs: number; workers: number }): Promise<void> {
  console.log(`raft store in the simulator: ${o.bugs.length} flags x ${o.runs} searches of ${o.budgetS} s on ${o.workers} workers, the default simulation`);
  for (const bug of o.bugs) {
    let found = 0;
    const rows: string[] = [];
    for (let run = 0; run < o.runs; run++) {
      const baseSeed = 1_000_000 * (run + 1);
      const { r, wallS, seeds } = await simSearch(defaultSimSpec([bug], 'reference:raft', NEEDS[bug]), { baseSeed, budgetS: o.budgetS, workers: o.workers });
      if (r.failure) {
        found++;
        rows.push(`seed ${r.failure.seed} after ${seeds} seeds, ${wallS.toFixed(1)} s (${r.failure.failedCheckers.join(',')})`);
      } else rows.push(`missed in ${seeds} seeds`);
    }
    console.log(`detection ${bug}: found in ${found} of ${o.runs} runs of ${o.budgetS} s (load ${loadAverage()})`);
    for (const row of rows) console.log(`  ${row}`);
  }
}
