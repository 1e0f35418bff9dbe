/**
 * The lifecycle of one test run:
 *   set up (packages, provider, DB on every node, clients, nemesis) → run (workload + faults,
 *   time-limited) → heal (nemesis final ops) → recovery wait → final reads → teardown (always;
 *   node logs collected first) → check (on what was recorded) → results.json, junit.xml, report.
 * Every event is appended to history.jsonl as it happens. Every DB, client and nemesis call gets
 * the run context (test, cluster, node, run directory, logger, rng) at call time. Teardown
 * failures and checker crashes are recorded and reported; the checkers still run on whatever was
 * recorded. An abort (Ctrl-C, watchdog) stops issuing ops, then heals, tears down and checks.
 * With online checking (Test.checkOnline / failFast, see online-check.ts) every event is also
 * fed to the checkers that check op by op, and fail-fast stops the run like an abort at the first
 * definite violation.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { basename, join, resolve } from 'node:path';
import { nodeContext, type Logger, type NodeContext, type RunContext, type TestInfo } from '../core/context.ts';
import type { Generator } from '../core/generator.ts';
import type { Test } from '../core/test.ts';
import type { Validity } from '../core/validity.ts';
import { FaultlineError, UsageError } from '../core/errors.ts';
import { HistoryRecorder } from '../history/recorder.ts';
import { clients, map, nemesis as nemesisOnly, phases, sleep, stagger, timeLimit, any } from '../generator/index.ts';
import { runContext } from './context.ts';
import { createLogger } from './logger.ts';
import { CONTROLLER, ensurePackages } from '../setup/install.ts';
import { runInterpreter } from './interpreter.ts';
import { createRunDir, RUN_FILES, updateLatestLinks } from './results-dir.ts';
import { checkRunDir, runChecker } from './check-run.ts';
import { describeEnd, outcomeOf, type EndReason, type Outcome, type RunEnd } from './outcome.ts';
import { OnlineRunCheck, type OnlineStatus } from './online-check.ts';
import { applyTopology, removeTopology } from './topology.ts';
import { SerialNemesis } from './serial-nemesis.ts';

export interface RunOutcome {
  runDir: string;
  /** What the checkers concluded. */
  valid: Validity;
  /** The one outcome of the run: the verdict, or incomplete / not-started (see outcome.ts). */
  outcome: Outcome;
  /** How the run ended. */
  end: RunEnd;
  results: Record<string, unknown>;
  /** Errors during setup, run or teardown (the run was still checked). */
  errors: string[];
  /** Why the run never got going, when it did not: set-up failed before the workload ran. */
  setupError?: unknown;
}

/** Progress of a run for the progress bar: completions so far by type. */
export interface RunProgress {
  elapsedNs: number;
  completed: number;
  ok: number;
  fail: number;
  info: number;
  /** The running verdict of the online check, when the run checks online. */
  online?: OnlineStatus;
}

export interface RunIo {
  /** Where the run's log lines go besides harness.log (default: stderr). */
  log?: Logger & { setFile?(path: string): void };
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
}

/** Seconds past the planned end after which the watchdog stops the run. */
const WATCHDOG_GRACE_S = 60;
/** Final reads may retry for up to this long before the run says the cluster did not recover. */
const FINAL_PHASE_ALLOWANCE_S = 30;
/** The longest main phase: a timer cannot wait longer than about 24.8 days. */
const MAX_TIME_LIMIT_S = 21 * 86_400;
/** How long teardown waits for a nemesis op still running after the run before it heals anyway. */
const NEMESIS_SETTLE_MS = 120_000;
/** Event-loop delay (p99) above which the harness, not the database, was the bottleneck. */
const OVERLOAD_P99_MS = 500;

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The whole run as one generator: the workload's ops (paced to the test's rate) with the
 * nemesis' faults for the time limit, then the heal-all ops, the recovery wait and the final
 * reads. `faultline sim` runs the same generator in simulated time.
 */
export function buildGenerator(test: Pick<Test, 'rate' | 'workload' | 'nemesis' | 'timeLimitS' | 'recoveryS'>): Generator {
  // stagger spaces ops across all workers, so 1/rate seconds apart on average gives `rate` ops/s.
  const clientGen = test.rate > 0 ? stagger(1 / test.rate, test.workload.generator) : test.workload.generator;
  const main = test.nemesis?.generator ? any(clients(clientGen), nemesisOnly(test.nemesis.generator)) : clients(clientGen);
  const steps: Generator[] = [timeLimit(test.timeLimitS, main)];
  if (test.nemesis?.finalGenerator) steps.push(nemesisOnly(test.nemesis.finalGenerator));
  if (test.recoveryS > 0) steps.push(sleep(test.recoveryS));
  // Final ops are recorded with phase "final", so the recovery checker can find them.
  if (test.workload.finalGenerator) steps.push(clients(map((inv) => ({ ...inv, phase: 'final' }), test.workload.finalGenerator)));
  return phases(...steps);
}

/** The part of a test every part may read (the `test` of every context). */
export function testInfo(t: Test): TestInfo {
  return { name: t.name, nodes: t.nodes, concurrency: t.concurrency, timeLimitS: t.timeLimitS, opTimeoutMs: t.opTimeoutMs, seed: t.seed, options: t.options, ...(t.topology ? { topology: t.topology } : {}) };
}

/** What test.json records: the spec when the test was built from names, else what can be said of the parts. */
function testRecord(test: Test, started: Date): Record<string, unknown> {
  const described = {
    ...testInfo(test),
    db: test.db?.name ?? null,
    workload: test.workload.name,
    nemesis: test.nemesis?.styles.map((s) => s.name) ?? [],
    provider: test.provider.name,
  };
  return {
    options: test.spec ?? described,
    seed: test.seed,
    versions: test.versions ?? {},
    ...(test.replay ? { replay: test.replay } : {}),
    // Where each node was: the placed topology, whatever file or name it came from.
    ...(test.topology ? { topology: test.topology } : {}),
    startedAt: started.toISOString(),
  };
}

/**
 * Runs a test and checks it; resolves with the verdict and where the run directory is.
 *
 * @example
 * const outcome = await run(await planTest(testSpec({ db: 'inprocess:atom', workload: 'register', provider: 'none' })));
 * if (outcome.valid !== true) console.log(outcome.runDir);
 */
export async function runTest(test: Test, io: RunIo = {}): Promise<RunOutcome> {
  checkLimits(test);
  const started = new Date();
  const runDir = createRunDir(test.resultsDir, test.name, started);
  const log = io.log ?? createLogger({ stderr: true });
  log.setFile?.(join(runDir, RUN_FILES.log));
  const record = testRecord(test, started);
  writeFileSync(join(runDir, RUN_FILES.test), JSON.stringify(record, null, 2) + '\n');
  log.info(`run directory ${runDir}`);
  if (test.replay) log.info(`seed ${test.seed}; replay with: ${test.replay.join(' ')}`);

  const errors: string[] = [];
  const runAbort = new AbortController();
  let end: RunEnd = { reason: 'completed' };
  const stop = (reason: EndReason, detail: string): void => {
    if (!runAbort.signal.aborted) {
      end = { reason, detail };
      log.warn(describeEnd(end));
      runAbort.abort(new Error(detail));
    }
  };
  const recorder = await HistoryRecorder.open(join(runDir, RUN_FILES.history), (e) =>
    stop((e as NodeJS.ErrnoException).code === 'ENOSPC' ? 'disk-full' : 'history-write-failed', `${RUN_FILES.history}: ${e.message}`),
  );
  io.signal?.addEventListener('abort', () => stop('interrupted', 'stopping the run, then healing and tearing down'), { once: true });
  const plannedS = test.timeLimitS + test.recoveryS + FINAL_PHASE_ALLOWANCE_S + (2 * test.opTimeoutMs) / 1000;
  const watchdog = setTimeout(() => stop('watchdog', `the run exceeded its planned ${plannedS.toFixed(0)} s by ${WATCHDOG_GRACE_S} s`), (plannedS + WATCHDOG_GRACE_S) * 1000);
  watchdog.unref();
  const loop = monitorEventLoopDelay({ resolution: 20 });

  const info = testInfo(test);
  const online = test.checkOnline || test.failFast ? new OnlineRunCheck(runChecker(test), { test: info }) : null;
  if (online) log.info(`checking online: ${online.checked.join(', ') || 'no checker checks op by op'}${online.waited.length ? `; at the end only: ${online.waited.join(', ')}` : ''}`);
  let context: RunContext | null = null;
  let nemesisCalls: SerialNemesis | null = null;
  let setupError: unknown;
  const onNodes = async (ctx: RunContext, what: string, fn: (node: NodeContext) => Promise<void>): Promise<void> => {
    const outcomes = await Promise.allSettled(ctx.cluster.nodes.map((n) => fn(nodeContext(ctx, n))));
    outcomes.forEach((r, i) => {
      if (r.status === 'rejected') throw new FaultlineError('E_SETUP', `${what} failed on ${ctx.cluster.nodes[i]!.name}: ${describe(r.reason)}`, { cause: r.reason });
    });
  };
  let ran = false;
  try {
    const install = test.install;
    const say = (line: string): void => log.info(line);
    if (install?.on === 'controller') await ensurePackages(CONTROLLER, install.packages, { why: `test ${test.name}`, say, install: install.allowed });
    log.info(`provider ${test.provider.name}: bringing up ${test.nodes.length} nodes`);
    const cluster = await test.provider.up();
    context = runContext({ cluster, db: test.db, runDir, log, test: info });
    if (install?.on === 'nodes') {
      await Promise.all(cluster.nodes.map((n) => ensurePackages(cluster.remote(n.name), install.packages, { why: `test ${test.name}`, say, install: install.allowed })));
    }
    if (test.topology) await applyTopology(cluster, test.topology, test.provider.name, log);
    const nemesis = test.nemesis?.nemesis;
    if (nemesis) nemesisCalls = new SerialNemesis(nemesis);
    if (nemesis?.prepareNode) await onNodes(context, 'nemesis preparation', (n) => nemesis.prepareNode!(n));
    if (test.db) {
      log.info(`db ${test.db.name}: setting up ${cluster.nodes.map((n) => n.name).join(', ')}`);
      const db = test.db;
      await onNodes(context, 'db setup', (n) => db.setup(n));
    }
    await test.client.setup?.(context);
    await test.nemesis?.nemesis.setup?.(context);
    ran = true;
    if (!runAbort.signal.aborted) {
      log.info(`running ${test.workload.name} for ${test.timeLimitS} s with ${test.concurrency} clients; nemesis: ${test.nemesis?.styles.map((s) => s.name).join(',') || 'none'}`);
      const counts: RunProgress = { elapsedNs: 0, completed: 0, ok: 0, fail: 0, info: 0 };
      const onProgress = io.onProgress;
      loop.enable();
      const result = await runInterpreter({
        context,
        concurrency: test.concurrency,
        generator: buildGenerator(test),
        clientFactory: test.client,
        nemesis: nemesisCalls,
        onEvent: (op) => {
          recorder.append(op);
          if (op.type !== 'invoke' && op.process !== 'nemesis') {
            counts.completed++;
            counts[op.type]++;
          }
          if (online?.feed(op)) {
            const found = online.firstViolation!;
            const planned = test.timeLimitS + test.recoveryS;
            const what = `${found.checkers.join(', ')} found a violation at op ${op.index}, ${found.atS.toFixed(1)} s into a run planned for ${planned} s`;
            if (test.failFast) stop('violation-found', `${what}; stopping saves about ${Math.max(0, planned - found.atS).toFixed(0)} s`);
            else log.warn(what);
          }
        },
        keepHistory: false,
        opTimeoutMs: test.opTimeoutMs,
        seed: test.seed,
        signal: runAbort.signal,
        ...(onProgress ? { onProgress: (p) => onProgress({ ...counts, elapsedNs: p.elapsedNs, ...(online ? { online: online.status } : {}) }) } : {}),
      });
      loop.disable();
      log.info(`run finished: ${result.invocations} invocations, ${result.ok} ok, ${result.fail} fail, ${result.info} info${result.interrupted ? ' (interrupted)' : ''}`);
    }
  } catch (e) {
    if (!ran) {
      setupError = e;
      end = { reason: 'setup-failed', detail: describe(e) };
    } else if (end.reason === 'completed') {
      end = { reason: 'interrupted', detail: `the run broke off: ${describe(e)}` };
    }
    errors.push(describe(e));
    log.error(describe(e));
  } finally {
    loop.disable();
    clearTimeout(watchdog);
    await teardown(test, context, nemesisCalls, runDir, errors, log);
    await recorder.close();
  }
  const harness = harnessLoad(loop, test.opTimeoutMs);
  if (harness.overloaded && end.reason === 'completed') {
    end = { reason: 'harness-overloaded', detail: `event-loop delay p99 ${harness.eventLoopDelayP99Ms} ms, max ${harness.eventLoopDelayMaxMs} ms (ops were issued and timed late); fewer clients (--concurrency) or a lower --rate` };
    log.warn(describeEnd(end));
  }
  if (recorder.lost > 0) errors.push(`${recorder.lost} events could not be written to ${RUN_FILES.history}`);
  if (online) await online.finish();

  let checked: { valid: Validity; results: Record<string, unknown> };
  try {
    checked = await checkRunDir(runDir, runChecker(test), { test: info, testRecord: record, errors, checkerTimeS: test.checkerTimeS, log, end, harness, ...(online ? { online } : {}) });
  } catch (e) {
    // The outputs themselves could not be written (a full disk): the run ends without a verdict.
    if (end.reason === 'completed') end = { reason: 'history-write-failed', detail: `the results could not be written: ${describe(e)}` };
    errors.push(describe(e));
    log.error(describe(e));
    checked = { valid: 'unknown', results: { valid: 'unknown', runErrors: errors } };
  }
  const outcome = outcomeOf(checked.valid, end);
  try {
    writeFileSync(join(runDir, RUN_FILES.test), JSON.stringify({ ...record, endedAt: new Date().toISOString(), end, outcome }, null, 2) + '\n');
    updateLatestLinks(test.resultsDir, runDir);
  } catch (e) {
    log.error(`cannot record the end of the run: ${describe(e)}`);
  }
  return { runDir, valid: checked.valid, outcome, end, results: checked.results, errors, ...(setupError !== undefined ? { setupError } : {}) };
}

/** Limits refused up front, before anything is set up. */
function checkLimits(test: Test): void {
  if (test.failFast && test.checkOnline === false) throw new UsageError('failFast stops at a violation the online check finds: it cannot go with checkOnline: false');
  if (!(test.timeLimitS > 0) || test.timeLimitS > MAX_TIME_LIMIT_S) {
    throw new UsageError(`time limit must be more than 0 and at most ${MAX_TIME_LIMIT_S} s (${MAX_TIME_LIMIT_S / 86_400} days), got ${test.timeLimitS}`);
  }
  const most = maxConcurrency();
  if (!Number.isInteger(test.concurrency) || test.concurrency < 1 || test.concurrency > most) {
    throw new UsageError(`concurrency must be a whole number from 1 to ${most} (what one controller can drive with its ${Math.round(getHeapStatistics().heap_size_limit / 2 ** 20)} MB heap), got ${test.concurrency}`);
  }
}

/** The most client workers one controller drives: 64 KiB of heap each, and never more than 10,000. */
export function maxConcurrency(): number {
  return Math.min(10_000, Math.floor(getHeapStatistics().heap_size_limit / 65_536));
}

/** How late the controller's own event loop ran during the workload. */
function harnessLoad(loop: IntervalHistogram, opTimeoutMs: number): { eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number; overloaded: boolean } {
  const ms = (ns: number): number => Math.round(ns / 1e6);
  const p99 = loop.count > 0 ? ms(loop.percentile(99)) : 0;
  const max = loop.count > 0 ? ms(loop.max) : 0;
  return { eventLoopDelayP99Ms: p99, eventLoopDelayMaxMs: max, overloaded: p99 > Math.min(OVERLOAD_P99_MS, opTimeoutMs / 4) };
}

/** Heals, tears down and collects logs; every failure is recorded, none stops the others. */
async function teardown(test: Test, ctx: RunContext | null, nemesisCalls: SerialNemesis | null, runDir: string, errors: string[], log: Logger): Promise<void> {
  const attempt = async (what: string, fn: () => Promise<unknown> | unknown): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      const msg = `${what} failed: ${describe(e)}`;
      errors.push(msg);
      log.error(msg);
    }
  };
  if (ctx) {
    if (nemesisCalls && !(await nemesisCalls.settled(NEMESIS_SETTLE_MS))) {
      log.warn(`a nemesis op was still running ${NEMESIS_SETTLE_MS / 1000} s after the run; healing anyway`);
    }
    await attempt('nemesis teardown (heal)', () => test.nemesis?.nemesis.teardown?.(ctx));
    await attempt('client teardown', () => test.client.teardown?.(ctx));
    const db = test.db;
    if (db) {
      for (const node of ctx.cluster.nodes) {
        await attempt(`collecting logs of ${node.name}`, async () => {
          const n = nodeContext(ctx, node);
          const files = db.logFiles?.(n) ?? [];
          if (files.length === 0) return;
          const dir = join(runDir, RUN_FILES.nodes, node.name);
          mkdirSync(dir, { recursive: true });
          for (const f of files) {
            const dest = join(dir, basename(f));
            // A node that shares this machine's file system may already log into the run directory.
            if (resolve(f) !== resolve(dest)) await ctx.cluster.remote(node.name).download(f, dest);
          }
        });
      }
      await Promise.all(ctx.cluster.nodes.map((node) => attempt(`db teardown on ${node.name}`, () => db.teardown(nodeContext(ctx, node)))));
    }
    const nemesis = test.nemesis?.nemesis;
    if (nemesis?.releaseNode) {
      await Promise.all(ctx.cluster.nodes.map((node) => attempt(`nemesis release of ${node.name}`, () => nemesis.releaseNode!(nodeContext(ctx, node)))));
    }
    if (test.topology) await attempt('removing the topology', () => removeTopology(ctx.cluster));
  }
  await attempt(`provider ${test.provider.name} down`, () => test.provider.down());
}
