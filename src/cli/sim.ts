/**
 * `faultline sim`: deterministic simulation. Runs a DB's node logic (the code its real nodes run)
 * in the simulator, seed after seed, each seed a whole test with the workload's generator,
 * Faultline's fault kinds, and the run's checkers; stops at the first failure or when the seeds
 * or the time budget run out, shrinks the failing case and writes it as a run directory.
 * `--replay DIR` runs a recorded case again and says whether the history is the same byte for
 * byte. The work itself is in src/sim/, loaded when the command runs (sim-run.ts).
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { UsageError } from '../core/errors.ts';
import { splitOptionFlags } from '../options/parse.ts';
import type { SimSpec } from '../sim/plan.ts';
import { collect, list, num, parseNodes, part } from './test.ts';

export interface SimFlags {
  name?: string;
  db: string;
  workload: string;
  nemesis: string;
  checker: string[];
  bug: string[];
  nodes: string;
  concurrency?: string;
  timeLimit: string;
  rate: string;
  opTimeout: string;
  recovery: string;
  nemesisInterval?: string;
  seed?: string;
  seeds?: string;
  timeBudget?: string;
  workers: string;
  replay?: string;
  resultsDir: string;
  checkerTime: string;
  opt: string[];
  config: string[];
  json?: boolean;
}

export const SIM_DEFAULTS = {
  nemesis: ['partition', 'kill', 'pause', 'clock', 'packet', 'power-loss'],
  nodeCount: 5,
  /** Client workers per node unless --concurrency is given: with two, a client blocked on a write at a node (a leader cut off holds writes for seconds) does not keep that node's reads from being seen. */
  clientsPerNode: 2,
  timeLimitS: 20,
  rate: 20,
  opTimeoutMs: 5000,
  recoveryS: 2,
  timeBudgetS: 60,
  checkerTimeS: 30,
} as const;

/** The simulation the flags describe (without --replay, --seed, --seeds, --time-budget, --workers). */
export function simSpecFromFlags(flags: SimFlags): SimSpec {
  const nodes = parseNodes(flags.nodes);
  return {
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    db: part(flags.db),
    workload: part(flags.workload),
    nemesis: list(flags.nemesis),
    checkers: flags.checker.flatMap(list).map(part),
    bug: flags.bug,
    nodes,
    concurrency: flags.concurrency !== undefined ? num('--concurrency', flags.concurrency, { min: 1, integer: true }) : SIM_DEFAULTS.clientsPerNode * nodes.length,
    timeLimitS: num('--time-limit', flags.timeLimit, { min: 0.001 }),
    rate: num('--rate', flags.rate),
    opTimeoutMs: num('--op-timeout', flags.opTimeout, { min: 1 }),
    recoveryS: num('--recovery', flags.recovery),
    ...(flags.nemesisInterval !== undefined ? { nemesisIntervalS: num('--nemesis-interval', flags.nemesisInterval, { min: 0.001 }) } : {}),
    options: splitOptionFlags(flags.opt),
    checkerTimeS: num('--checker-time', flags.checkerTime, { min: 1 }),
    resultsDir: resolve(flags.resultsDir),
    ...(flags.config.length ? { configs: flags.config.map((c) => resolve(c)) } : {}),
  };
}

/** How long and how wide to search. */
export function searchLimits(flags: SimFlags): { seeds?: number; timeBudgetS?: number; workers: number; baseSeed: number } {
  const seeds = flags.seeds !== undefined ? num('--seeds', flags.seeds, { min: 1, integer: true }) : undefined;
  const budget = flags.timeBudget !== undefined ? num('--time-budget', flags.timeBudget, { min: 0.001 }) : undefined;
  const workers = num('--workers', flags.workers, { min: 1, integer: true });
  const baseSeed = flags.seed !== undefined ? num('--seed', flags.seed, { integer: true }) : Math.floor(Math.random() * 2 ** 31);
  return {
    ...(seeds !== undefined ? { seeds } : {}),
    ...(budget !== undefined || seeds === undefined ? { timeBudgetS: budget ?? SIM_DEFAULTS.timeBudgetS } : {}),
    workers,
    baseSeed,
  };
}

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('deterministic simulation: run the DB\'s node logic seed after seed under faults, check each run, shrink and write the first failure; --replay re-runs one exactly')
    .option('--name <name>', 'names the results folder of failing cases; default: sim-<db>-<workload>')
    .option('--db <db>', 'a DB with node logic (see `faultline list`), or a module', 'reference:raft')
    .option('--workload <workload>', 'register | list-append | rw-register', 'register')
    .option('--nemesis <names>', 'fault kinds (each seed uses a random non-empty subset unless --opt sim.swarm=false), or none', SIM_DEFAULTS.nemesis.join(','))
    .option('--checker <names>', "extra checkers on top of the workload's (repeatable)", collect, [])
    .option('--bug <flag>', 'turn on a bug flag of the db (repeatable)', collect, [])
    .option('--nodes <n|names>', 'node count or comma-separated node names', String(SIM_DEFAULTS.nodeCount))
    .option('--concurrency <n>', `client workers (default: ${SIM_DEFAULTS.clientsPerNode} per node)`)
    .option('--time-limit <seconds>', 'simulated seconds of each seed\'s main phase', String(SIM_DEFAULTS.timeLimitS))
    .option('--rate <ops/s>', 'client ops per simulated second over all workers (0 = unthrottled)', String(SIM_DEFAULTS.rate))
    .option('--op-timeout <ms>', 'per-op timeout in simulated ms', String(SIM_DEFAULTS.opTimeoutMs))
    .option('--recovery <seconds>', 'simulated seconds between healing and the final reads', String(SIM_DEFAULTS.recoveryS))
    .option('--nemesis-interval <seconds>', 'mean simulated seconds between faults (default: each seed draws one)')
    .option('--seed <n>', 'the first seed (default: random, printed)')
    .option('--seeds <n>', 'run at most this many seeds')
    .option('--time-budget <seconds>', `wall-clock seconds to search (default ${SIM_DEFAULTS.timeBudgetS} unless --seeds is given)`)
    .option('--workers <n>', 'worker threads running seeds', String(Math.min(availableParallelism(), 8)))
    .option('--replay <dir>', 'run the case recorded in a run directory again and compare its history byte for byte')
    .option('--results-dir <dir>', 'where run directories go', 'results')
    .option('--checker-time <seconds>', 'time budget per checker per seed', String(SIM_DEFAULTS.checkerTimeS))
    .option('--opt <key=value>', 'an option of a chosen part or of the simulator (sim.latency, sim.disk, sim.swarm, sim.shrink, sim.shrink-time; repeatable)', collect, [])
    .option('--config <file>', 'a faultline.config.ts registering more parts', collect, [])
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', `
Examples:
  faultline sim --bug volatile-votes --time-budget 60     # search for a minute; shrink and write the first failure
  faultline sim --seeds 1000 --seed 7                     # seeds 7..1006 of the correct raft store
  faultline sim --workload list-append --nemesis partition,kill --opt sim.latency=slow
  faultline sim --replay results/sim-reference-raft-register/latest

Each seed draws its network latency profile, disk speed, fault kinds and fault interval unless
fixed (--opt sim.latency=lan|datacenter|wan|slow|long-tail, sim.disk=fast|slow, sim.swarm=false,
--nemesis-interval). A failure is a safety finding; liveness findings (an op kind that never
succeeded) are counted, not stopped at. Exit codes: 0 no failure, 1 a failure (or a replay that
fails), 254 bad usage.`)
    .action(async (flags: SimFlags) => {
      if (flags.replay !== undefined && (flags.seeds !== undefined || flags.timeBudget !== undefined || flags.bug.length > 0)) {
        throw new UsageError('--replay runs the recorded case as it was: it takes no --seeds, --time-budget or --bug');
      }
      const { runSimFromFlags } = await import('./sim-run.ts');
      await runSimFromFlags(flags);
    });
}
