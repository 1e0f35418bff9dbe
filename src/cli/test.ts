/**
 * `faultline test`: run a workload against a DB while injecting faults, check the history, and
 * leave a run directory behind. Every failure prints the seed and the command that replays it.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { TestOptions } from '../core/test.ts';
import { exitCodeFor } from '../core/validity.ts';
import { UsageError } from '../core/errors.ts';
import { dbEntry } from '../db/index.ts';
import { planTest } from '../runner/plan.ts';
import { runTest } from '../runner/run-test.ts';
import { createLogger } from '../runner/logger.ts';
import { shellQuote } from '../report/summary.ts';
import { printJson, printSummary } from './output.ts';
import { parseOpts } from './options.ts';
import { createProgress } from './progress.ts';
import { reportToGithub } from '../report/github.ts';
import type { CheckResult } from '../core/validity.ts';

interface TestFlags {
  name?: string;
  db: string;
  workload: string;
  nemesis: string;
  nemesisInterval: string;
  provider?: string;
  nodes: string;
  concurrency: string;
  timeLimit: string;
  rate: string;
  opTimeout: string;
  recovery: string;
  seed?: string;
  bug: string[];
  resultsDir: string;
  replaySchedule?: string;
  inventory?: string;
  checkerTime: string;
  opt: string[];
  json?: boolean;
  github?: boolean;
  progress: boolean;
}

function num(flag: string, text: string, { min = 0, integer = false } = {}): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(text)}`);
  }
  return n;
}

function parseNodes(text: string): string[] {
  if (/^\d+$/.test(text)) {
    const n = num('--nodes', text, { min: 1, integer: true });
    return Array.from({ length: n }, (_, i) => `n${i + 1}`);
  }
  const nodes = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of nodes) if (!/^[a-z][a-z0-9-]{0,14}$/.test(n)) throw new UsageError(`--nodes: bad node name ${JSON.stringify(n)} (lowercase letters, digits and -, at most 15)`);
  if (new Set(nodes).size !== nodes.length) throw new UsageError('--nodes: node names repeat');
  return nodes;
}


export function optionsFromFlags(flags: TestFlags): TestOptions {
  const db = dbEntry(flags.db);
  const provider = flags.provider ?? db.providers[0]!;
  const nemesis = flags.nemesis === 'none' || flags.nemesis === '' ? [] : flags.nemesis.split(',').map((s) => s.trim());
  const seed = flags.seed !== undefined ? num('--seed', flags.seed, { integer: true }) : Math.floor(Math.random() * 2 ** 31);
  return {
    name: flags.name ?? `${flags.db}-${flags.workload}`.replace(/[^\w.-]+/g, '-'),
    db: flags.db,
    workload: flags.workload,
    nemesis,
    nemesisIntervalS: num('--nemesis-interval', flags.nemesisInterval),
    provider,
    nodes: parseNodes(flags.nodes),
    concurrency: num('--concurrency', flags.concurrency, { min: 1, integer: true }),
    timeLimitS: num('--time-limit', flags.timeLimit),
    rate: num('--rate', flags.rate),
    opTimeoutMs: num('--op-timeout', flags.opTimeout, { min: 1 }),
    recoveryS: num('--recovery', flags.recovery),
    seed,
    bug: flags.bug,
    resultsDir: resolve(flags.resultsDir),
    ...(flags.replaySchedule ? { replaySchedule: resolve(flags.replaySchedule) } : {}),
    ...(flags.inventory ? { inventory: resolve(flags.inventory) } : {}),
    checkerTimeS: num('--checker-time', flags.checkerTime, { min: 1 }),
    options: parseOpts(flags.opt),
  };
}

/** The fully explicit argv that replays a test (same seed, same options). */
export function replayArgv(o: TestOptions): string[] {
  const argv = [
    'test', '--name', o.name, '--db', o.db, '--workload', o.workload,
    '--nemesis', o.nemesis.join(',') || 'none', '--nemesis-interval', String(o.nemesisIntervalS),
    '--provider', o.provider, '--nodes', o.nodes.join(','), '--concurrency', String(o.concurrency),
    '--time-limit', String(o.timeLimitS), '--rate', String(o.rate), '--op-timeout', String(o.opTimeoutMs),
    '--recovery', String(o.recoveryS), '--seed', String(o.seed), '--checker-time', String(o.checkerTimeS),
  ];
  for (const b of o.bug) argv.push('--bug', b);
  for (const [k, v] of Object.entries(o.options)) argv.push('--opt', `${k}=${v}`);
  if (o.replaySchedule) argv.push('--replay-schedule', o.replaySchedule);
  if (o.inventory) argv.push('--inventory', o.inventory);
  return argv;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerTest(program: Command): void {
  program
    .command('test')
    .description('run a workload against a database under faults, check the history, write a run directory')
    .option('--name <name>', 'test name (results/<name>/<timestamp>/); default: <db>-<workload>')
    .option('--db <db>', 'system under test (see `faultline list`)', 'reference:raft')
    .option('--workload <workload>', 'workload (see `faultline list`)', 'register')
    .option('--nemesis <names>', 'comma-separated nemesis packages, or none', 'partition,kill')
    .option('--nemesis-interval <seconds>', 'seconds between faults', '10')
    .option('--provider <provider>', 'local | ssh | docker | none; default: the db\'s own')
    .option('--nodes <n|names>', 'node count or comma-separated node names', '5')
    .option('--concurrency <n>', 'client workers', '10')
    .option('--time-limit <seconds>', 'length of the main phase', '60')
    .option('--rate <ops/s>', 'target client op rate over all workers (0 = unthrottled)', '100')
    .option('--op-timeout <ms>', 'per-op timeout; a timed-out op is recorded as info', '5000')
    .option('--recovery <seconds>', 'wait after healing before the final reads', '5')
    .option('--seed <n>', 'random seed (default: random, printed)')
    .option('--bug <flag>', 'turn on a reference-store bug flag (repeatable)', collect, [])
    .option('--results-dir <dir>', 'where run directories go', 'results')
    .option('--replay-schedule <file>', 're-apply the faults of a schedule.json at the same offsets')
    .option('--inventory <file>', 'ssh provider: JSON inventory of the hosts (user, key, known hosts, nodes)')
    .option('--checker-time <seconds>', 'time budget per checker', '300')
    .option('--opt <key=value>', 'workload / db option (repeatable)', collect, [])
    .option('--json', 'print one JSON document on stdout')
    .option('--github', 'print GitHub Actions annotations for invalid / unknown checkers (and a step summary)')
    .option('--no-progress', 'no progress bar')
    .addHelpText('after', `
Examples:
  faultline test                                   # raft store, 5 local nodes, partitions + kills, 60 s
  faultline test --bug stale-reads                 # a raft bug flag the checkers must catch
  faultline test --nemesis partition,kill,pause --nemesis-interval 5 --time-limit 120
  faultline test --db inprocess:atom --nemesis none --time-limit 10   # no cluster, no root`)
    .action(async (flags: TestFlags) => {
      const o = optionsFromFlags(flags);
      const argv = replayArgv(o);
      const plan = await planTest(o, argv);
      const log = createLogger({ stderr: true });
      const interrupt = new AbortController();
      let interrupts = 0;
      const onSigint = (): void => {
        interrupts++;
        if (interrupts > 1) {
          process.stderr.write('faultline: second interrupt, exiting without cleanup\n');
          process.exit(130);
        }
        interrupt.abort();
      };
      process.on('SIGINT', onSigint);
      process.on('SIGTERM', onSigint);
      const progress = createProgress({ enabled: flags.progress && !flags.json, timeLimitS: o.timeLimitS });
      try {
        const outcome = await runTest(plan, { log, signal: interrupt.signal, onProgress: progress.update });
        progress.stop();
        const checkers = (outcome.results['checkers'] ?? {}) as Record<string, CheckResult>;
        if (flags.json) {
          printJson({ runDir: outcome.runDir, seed: o.seed, replay: `faultline ${shellQuote(argv)}`, ...outcome.results });
        } else {
          printSummary(outcome.valid, checkers, process.stderr, [`run directory: ${outcome.runDir}`]);
        }
        if (outcome.valid !== true) {
          process.stderr.write(`seed ${o.seed}; replay with: faultline ${shellQuote(argv)}\n`);
        }
        if (flags.github) {
          const github = { name: o.name, results: outcome.results, runDir: outcome.runDir, replay: `faultline ${shellQuote(argv)}` };
          reportToGithub(github, flags.json ? process.stderr : process.stdout);
        }
        process.exitCode = exitCodeFor(outcome.valid);
      } finally {
        progress.stop();
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onSigint);
      }
    });
}
