/**
 * The lifecycle of one test run:
 *   set up (provider, DB on every node, clients, nemesis) → run (workload + faults, time-limited)
 *   → heal (nemesis final ops) → recovery wait → final reads → teardown (always; node logs
 *   collected first) → check (on what was recorded) → results.json, junit.xml, report.html.
 * Every event is appended to history.jsonl as it happens. Teardown failures and checker crashes
 * are recorded and reported; the checkers still run on whatever was recorded. An abort (Ctrl-C,
 * watchdog) stops issuing ops, then heals, tears down and checks as usual.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Checker } from '../core/checker.ts';
import type { ClientFactory } from '../core/client.ts';
import type { DB, DbContext } from '../core/db.ts';
import type { Generator } from '../core/generator.ts';
import type { NemesisPackage } from '../core/nemesis.ts';
import type { Cluster, NodeInfo, Provider } from '../core/provider.ts';
import type { TestOptions } from '../core/test.ts';
import type { Workload } from '../core/workload.ts';
import type { Validity } from '../core/validity.ts';
import { FaultlineError } from '../core/errors.ts';
import { HistoryRecorder } from '../history/recorder.ts';
import { clients, nemesis as nemesisOnly, phases, sleep, stagger, timeLimit, any } from '../generator/index.ts';
import { runInterpreter } from './interpreter.ts';
import { createRunDir, RUN_FILES, updateLatestLinks } from './results-dir.ts';
import { checkRunDir } from './check-run.ts';
import type { Logger } from './logger.ts';

export interface TestPlan {
  options: TestOptions;
  /** argv (without node and script) that replays this run. */
  replayArgv: readonly string[];
  provider: Provider | null;
  db: DB | null;
  clientFactory: ClientFactory;
  workload: Workload;
  nemesis: NemesisPackage | null;
  /** Filled by the lifecycle once the cluster is up; nemeses reach the cluster through it. */
  dbContext: { current: DbContext | null };
  checker: Checker;
  /** Versions of the pieces involved, for test.json. */
  versions: Record<string, string>;
}

export interface RunOutcome {
  runDir: string;
  valid: Validity;
  results: Record<string, unknown>;
  /** Errors during setup, run or teardown (the run was still checked). */
  errors: string[];
}

/** Progress of a run for the progress bar: completions so far by type. */
export interface RunProgress {
  elapsedNs: number;
  completed: number;
  ok: number;
  fail: number;
  info: number;
}

export interface RunIo {
  log: Logger & { setFile(path: string): void };
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
}

/** Seconds past the planned end after which the watchdog stops the run. */
const WATCHDOG_GRACE_S = 60;

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A cluster of named nodes for in-process DBs: no remotes, addresses are the names. */
function inProcessCluster(nodes: readonly string[]): Cluster {
  return {
    nodes: nodes.map((name) => ({ name, address: name })),
    remote(node: string): never {
      throw new FaultlineError('E_NO_REMOTE', `node ${node} has no remote: the provider is "none"`);
    },
  };
}

function buildGenerator(plan: TestPlan): Generator {
  const o = plan.options;
  // stagger spaces ops across all workers, so 1/rate seconds apart on average gives `rate` ops/s.
  const clientGen = o.rate > 0 ? stagger(1 / o.rate, plan.workload.generator) : plan.workload.generator;
  const main = plan.nemesis?.generator
    ? any(clients(clientGen), nemesisOnly(plan.nemesis.generator))
    : clients(clientGen);
  const steps: Generator[] = [timeLimit(o.timeLimitS, main)];
  if (plan.nemesis?.finalGenerator) steps.push(nemesisOnly(plan.nemesis.finalGenerator));
  if (o.recoveryS > 0) steps.push(sleep(o.recoveryS));
  if (plan.workload.finalGenerator) steps.push(clients(plan.workload.finalGenerator));
  return phases(...steps);
}

export async function runTest(plan: TestPlan, io: RunIo): Promise<RunOutcome> {
  const o = plan.options;
  const started = new Date();
  const runDir = createRunDir(o.resultsDir, o.name, started);
  const { log } = io;
  log.setFile(join(runDir, RUN_FILES.log));
  const replay = ['faultline', ...plan.replayArgv];
  writeFileSync(
    join(runDir, RUN_FILES.test),
    JSON.stringify({ options: o, seed: o.seed, versions: plan.versions, replay, startedAt: started.toISOString() }, null, 2) + '\n',
  );
  log.info(`run directory ${runDir}`);
  log.info(`seed ${o.seed}; replay with: ${replay.join(' ')}`);

  const errors: string[] = [];
  const recorder = await HistoryRecorder.open(join(runDir, RUN_FILES.history));
  const runAbort = new AbortController();
  const stop = (reason: string): void => {
    if (!runAbort.signal.aborted) {
      log.warn(reason);
      runAbort.abort(new Error(reason));
    }
  };
  io.signal?.addEventListener('abort', () => stop('interrupted: stopping the run, then healing and tearing down'), { once: true });
  const plannedS = o.timeLimitS + o.recoveryS + (2 * o.opTimeoutMs) / 1000;
  const watchdog = setTimeout(() => stop(`watchdog: the run exceeded its planned ${plannedS.toFixed(0)} s by ${WATCHDOG_GRACE_S} s`), (plannedS + WATCHDOG_GRACE_S) * 1000);
  watchdog.unref();

  let cluster: Cluster | null = null;
  const dbCtx = (): DbContext => ({ cluster: cluster!, test: o as unknown as Record<string, unknown>, runDir });
  const onNodes = async (what: string, fn: (node: NodeInfo) => Promise<void>): Promise<void> => {
    const outcomes = await Promise.allSettled(cluster!.nodes.map(fn));
    outcomes.forEach((r, i) => {
      if (r.status === 'rejected') throw new FaultlineError('E_SETUP', `${what} failed on ${cluster!.nodes[i]!.name}: ${describe(r.reason)}`, { cause: r.reason });
    });
  };
  let setupError: unknown;
  try {
    if (plan.provider) {
      log.info(`provider ${plan.provider.name}: bringing up ${o.nodes.length} nodes`);
      cluster = await plan.provider.up();
    } else {
      cluster = inProcessCluster(o.nodes);
    }
    plan.dbContext.current = dbCtx();
    if (plan.db) {
      log.info(`db ${plan.db.name}: setting up ${cluster.nodes.map((n) => n.name).join(', ')}`);
      await onNodes('db setup', (n) => plan.db!.setup(dbCtx(), n));
    }
    await plan.clientFactory.setup?.(o as unknown as Record<string, unknown>);
    await plan.nemesis?.nemesis.setup?.();
    if (!runAbort.signal.aborted) {
      log.info(`running ${o.workload} for ${o.timeLimitS} s with ${o.concurrency} clients; nemesis: ${o.nemesis.join(',') || 'none'}`);
      const counts: RunProgress = { elapsedNs: 0, completed: 0, ok: 0, fail: 0, info: 0 };
      const onProgress = io.onProgress;
      const result = await runInterpreter({
        test: o as unknown as Record<string, unknown>,
        concurrency: o.concurrency,
        nodes: cluster.nodes.map((n) => n.name),
        generator: buildGenerator(plan),
        clientFactory: plan.clientFactory,
        nemesis: plan.nemesis?.nemesis ?? null,
        onEvent: (op) => {
          recorder.append(op);
          if (op.type !== 'invoke' && op.process !== 'nemesis') {
            counts.completed++;
            counts[op.type]++;
          }
        },
        keepHistory: false,
        opTimeoutMs: o.opTimeoutMs,
        seed: o.seed,
        signal: runAbort.signal,
        ...(onProgress ? { onProgress: (p) => onProgress({ ...counts, elapsedNs: p.elapsedNs }) } : {}),
      });
      log.info(`run finished: ${result.invocations} invocations, ${result.ok} ok, ${result.fail} fail, ${result.info} info${result.interrupted ? ' (interrupted)' : ''}`);
    }
  } catch (e) {
    setupError = e;
    errors.push(describe(e));
    log.error(describe(e));
  } finally {
    clearTimeout(watchdog);
    await teardown(plan, cluster, dbCtx, runDir, errors, log);
    await recorder.close();
  }

  const checked = await checkRunDir(runDir, plan.checker, {
    testOptions: o,
    replayCommand: replay,
    errors,
    checkerTimeS: o.checkerTimeS,
    log,
  });
  updateLatestLinks(o.resultsDir, runDir);
  if (setupError !== undefined && checked.valid === true) {
    // A run that never got going proves nothing: do not call it valid.
    checked.results['valid'] = 'unknown';
    return { runDir, valid: 'unknown', results: checked.results, errors };
  }
  return { runDir, valid: checked.valid, results: checked.results, errors };
}

/** Heals, tears down and collects logs; every failure is recorded, none stops the others. */
async function teardown(
  plan: TestPlan,
  cluster: Cluster | null,
  dbCtx: () => DbContext,
  runDir: string,
  errors: string[],
  log: Logger,
): Promise<void> {
  const attempt = async (what: string, fn: () => Promise<unknown> | unknown): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      const msg = `${what} failed: ${describe(e)}`;
      errors.push(msg);
      log.error(msg);
    }
  };
  await attempt('nemesis teardown (heal)', () => plan.nemesis?.nemesis.teardown?.());
  await attempt('client teardown', () => plan.clientFactory.teardown?.(plan.options as unknown as Record<string, unknown>));
  if (cluster && plan.db) {
    const db = plan.db;
    for (const node of cluster.nodes) {
      await attempt(`collecting logs of ${node.name}`, async () => {
        const files = db.logFiles?.(dbCtx(), node) ?? [];
        if (files.length === 0) return;
        const dir = join(runDir, RUN_FILES.nodes, node.name);
        mkdirSync(dir, { recursive: true });
        for (const f of files) {
          const dest = join(dir, basename(f));
          // A node that shares this machine's file system may already log into the run directory.
          if (resolve(f) !== resolve(dest)) await cluster.remote(node.name).download(f, dest);
        }
      });
    }
    await Promise.all(cluster.nodes.map((node) => attempt(`db teardown on ${node.name}`, () => db.teardown(dbCtx(), node))));
  }
  if (plan.provider) await attempt(`provider ${plan.provider.name} down`, () => plan.provider!.down());
}
