/**
 * `faultline test`: run a workload against a DB while injecting faults, check the history, and
 * leave a run directory behind. Parts are named (`--db etcd`) or given as modules
 * (`--db ./my-db.ts`); `faultline.config.ts` in the working directory registers more names.
 * Every failure prints the seed and the command that replays it.
 */
import type { Command } from 'commander';
import { basename, resolve } from 'node:path';
import type { TestSpec } from '../core/test.ts';
import { UsageError } from '../core/errors.ts';
import { splitOptionFlags } from '../options/parse.ts';
import { looksLikePath } from '../plugins/load.ts';
import { isTopologyFile } from '../topology/load.ts';
import { SPEC_DEFAULTS as D } from '../runner/spec.ts';

interface TestFlags {
  name?: string;
  db: string;
  workload: string;
  nemesis: string;
  checker: string[];
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
  topology?: string;
  checkerTime: string;
  /** undefined unless --check-online or --no-check-online was given. */
  checkOnline?: boolean;
  failFast?: boolean;
  opt: string[];
  config: string[];
  install: boolean;
  json?: boolean;
  github?: boolean;
  progress: boolean;
}

export function num(flag: string, text: string, { min = 0, integer = false } = {}): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${JSON.stringify(text)}`);
  }
  return n;
}

export function parseNodes(text: string): string[] {
  if (/^\d+$/.test(text)) {
    const n = num('--nodes', text, { min: 1, integer: true });
    return Array.from({ length: n }, (_, i) => `n${i + 1}`);
  }
  const nodes = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of nodes) {
    if (!/^[a-z][a-z0-9-]{0,14}$/.test(n)) throw new UsageError(`--nodes takes a count (e.g. 5) or node names (e.g. n1,n2,n3); ${JSON.stringify(n)} is neither (names: lowercase letters, digits and -, at most 15, starting with a letter)`);
  }
  if (new Set(nodes).size !== nodes.length) throw new UsageError('--nodes: node names repeat');
  return nodes;
}

/** A part given by path is recorded as an absolute path, so the replay works from anywhere. */
export function part(value: string): string {
  return looksLikePath(value) ? resolve(value) : value;
}

/** A part's name for the run's name: a module path gives its file name without the extension. */
function partName(value: string): string {
  return looksLikePath(value) ? basename(value).replace(/\.[cm]?[jt]sx?$/, '') : value;
}

export const list = (text: string): string[] => (text === 'none' || text === '' ? [] : text.split(',').map((s) => s.trim()).filter(Boolean));

export function specFromFlags(flags: TestFlags): TestSpec {
  if (flags.failFast && flags.checkOnline === false) throw new UsageError('--fail-fast stops at a violation the online check finds: it cannot go with --no-check-online');
  const seed = flags.seed !== undefined ? num('--seed', flags.seed, { integer: true }) : Math.floor(Math.random() * 2 ** 31);
  const options = splitOptionFlags(flags.opt);
  if (flags.inventory !== undefined) options['ssh.inventory'] = resolve(flags.inventory);
  return {
    name: flags.name ?? `${partName(flags.db)}-${partName(flags.workload)}`.replace(/[^\w.-]+/g, '-'),
    db: part(flags.db),
    workload: part(flags.workload),
    nemesis: list(flags.nemesis).map(part),
    checkers: flags.checker.flatMap(list).map(part),
    nemesisIntervalS: num('--nemesis-interval', flags.nemesisInterval),
    ...(flags.provider !== undefined ? { provider: part(flags.provider) } : {}),
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
    checkerTimeS: num('--checker-time', flags.checkerTime, { min: 1 }),
    ...(flags.checkOnline || flags.failFast ? { checkOnline: true } : {}),
    ...(flags.failFast ? { failFast: true } : {}),
    options,
    ...(flags.config.length ? { configs: flags.config.map((c) => resolve(c)) } : {}),
    ...(flags.topology !== undefined ? { topology: isTopologyFile(flags.topology) ? resolve(flags.topology) : flags.topology } : {}),
  };
}

/** The fully explicit argv that replays a test (same seed, same options). */
export function replayArgv(o: TestSpec): string[] {
  const argv = [
    'test', '--name', o.name, '--db', o.db, '--workload', o.workload,
    '--nemesis', o.nemesis.join(',') || 'none', '--nemesis-interval', String(o.nemesisIntervalS),
    '--provider', o.provider ?? 'local', '--nodes', o.nodes.join(','), '--concurrency', String(o.concurrency),
    '--time-limit', String(o.timeLimitS), '--rate', String(o.rate), '--op-timeout', String(o.opTimeoutMs),
    '--recovery', String(o.recoveryS), '--seed', String(o.seed), '--checker-time', String(o.checkerTimeS),
  ];
  for (const c of o.checkers ?? []) argv.push('--checker', c);
  for (const b of o.bug) argv.push('--bug', b);
  for (const [k, v] of Object.entries(o.options)) argv.push('--opt', `${k}=${v}`);
  for (const c of o.configs ?? []) argv.push('--config', c);
  if (o.replaySchedule) argv.push('--replay-schedule', o.replaySchedule);
  if (o.topology) argv.push('--topology', o.topology);
  if (o.failFast) argv.push('--fail-fast');
  else if (o.checkOnline) argv.push('--check-online');
  return argv;
}

export const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerTest(program: Command, partsHelp?: string): void {
  program
    .command('test')
    .description('run a workload against a database under faults, check the history, write a run directory')
    .option('--name <name>', 'test name (results/<name>/<timestamp>/); default: <db>-<workload>')
    .option('--db <db>', 'system under test: a name (see `faultline list`) or a module (./my-db.ts)', 'reference:raft')
    .option('--workload <workload>', 'workload: a name or a module', 'register')
    .option('--nemesis <names>', 'comma-separated nemeses (names or modules), or none', D.nemesis.join(','))
    .option('--checker <names>', 'extra checkers on top of the workload\'s (names or modules; repeatable)', collect, [])
    .option('--nemesis-interval <seconds>', 'seconds between faults', String(D.nemesisIntervalS))
    .option('--provider <provider>', 'local | ssh | docker | none, or a module; default: the db\'s first')
    .option('--nodes <n|names>', 'node count or comma-separated node names', String(D.nodeCount))
    .option('--concurrency <n>', 'client workers', String(D.concurrency))
    .option('--time-limit <seconds>', 'length of the main phase', String(D.timeLimitS))
    .option('--rate <ops/s>', 'target client op rate over all workers (0 = unthrottled)', String(D.rate))
    .option('--op-timeout <ms>', 'per-op timeout; a timed-out op is recorded as info', String(D.opTimeoutMs))
    .option('--recovery <seconds>', 'wait after healing before the final reads', String(D.recoveryS))
    .option('--seed <n>', 'random seed (default: random, printed)')
    .option('--bug <flag>', 'turn on a bug flag of the db (repeatable)', collect, [])
    .option('--results-dir <dir>', 'where run directories go', D.resultsDir)
    .option('--replay-schedule <file>', 're-apply the faults of a schedule.json at the same offsets')
    .option('--inventory <file>', 'ssh provider: JSON inventory of the hosts (same as --opt ssh.inventory=FILE)')
    .option('--topology <name|file>', 'place the nodes in regions with WAN latency between them: a profile name (`faultline list`) or a JSON file')
    .option('--checker-time <seconds>', 'time budget per checker', String(D.checkerTimeS))
    .option('--check-online', 'check while the run goes: feed every event to the checkers that check op by op; the running verdict shows in the progress line')
    .option('--no-check-online', 'check only the recorded history at the end (the default)')
    .option('--fail-fast', 'stop the run (heal, teardown, check) at the first definite violation the online check finds; implies --check-online')
    .option('--opt <key=value>', 'an option of a chosen part, e.g. etcd.serializable-reads=true (repeatable; `faultline list` shows them)', collect, [])
    .option('--config <file>', 'a faultline.config.ts registering more parts (default: the one in this directory)', collect, [])
    .option('--no-install', 'never install Debian packages; refuse with the apt-get line when something is missing')
    .option('--json', 'print one JSON document on stdout')
    .option('--github', 'print GitHub Actions annotations for invalid / unknown checkers (and a step summary)')
    .option('--no-progress', 'no progress bar')
    .addHelpText('after', `
Examples:
  faultline test                                   # raft store, 5 local nodes, partitions + kills, 60 s
  faultline test --bug stale-reads                 # a raft bug flag the checkers must catch
  faultline test --db etcd --opt etcd.serializable-reads=true --nemesis partition
  faultline test --db ./my-db.ts --workload register --nemesis partition,kill
  faultline test --db reference:lww --topology three-regions --nemesis partition --opt partition.shapes=region
  faultline test --db inprocess:atom --nemesis none --time-limit 10   # no cluster, no root

Options of each part (--opt <part>.<name>=<value>) are listed by \`faultline list\`.${partsHelp ?? ''}`)
    .action(async (flags: TestFlags) => {
      const { runFromFlags } = await import('./test-run.ts');
      await runFromFlags(flags);
    });
}

export type { TestFlags };
