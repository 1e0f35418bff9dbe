/**
 * The lifecycle of one test run:
 *   set up (packages, provider, DB on every node, clients, nemesis) → run (workload + faults,
 *   time-limited) → heal (nemesis final ops) → recovery wait → final reads → teardown (always;
 *   node logs collected first) → check (on what was recorded) → results.json, junit.xml, report.
 * Every event is appended to history.jsonl as it happens. Every DB, client and nemesis call gets
 * the run context (test, cluster, node, run directory, logger, rng) at call time. Teardown
 * failures and checker crashes are recorded and reported; the checkers still run on whatever was
 * recorded. An abort (Ctrl-C, watchdog) stops issuing ops, then heals, tears down and checks.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { nodeContext, type Logger, type NodeContext, type RunContext, type TestInfo } from '../core/context.ts';
import type { Generator } from '../core/generator.ts';
import type { Test } from '../core/test.ts';
import type { Validity } from '../core/validity.ts';
import { FaultlineError } from '../core/errors.ts';
import { HistoryRecorder } from '../history/recorder.ts';
import { clients, nemesis as nemesisOnly, phases, sleep, stagger, timeLimit, any } from '../generator/index.ts';
import { runContext } from './context.ts';
import { createLogger } from './logger.ts';
import { CONTROLLER, ensurePackages } from '../setup/install.ts';
import { runInterpreter } from './interpreter.ts';
import { createRunDir, RUN_FILES, updateLatestLinks } from './results-dir.ts';
import { checkRunDir, runChecker } from './check-run.ts';

export interface RunOutcome {
  runDir: string;
  valid: Validity;
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
}

export interface RunIo {
  /** Where the run's log lines go besides harness.log (default: stderr). */
  log?: Logger & { setFile?(path: string): void };
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
}

/** Seconds past the planned end after which the watchdog stops the run. */
const WATCHDOG_GRACE_S = 60;

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function buildGenerator(test: Test): Generator {
  // stagger spaces ops across all workers, so 1/rate seconds apart on average gives `rate` ops/s.
  const clientGen = test.rate > 0 ? stagger(1 / test.rate, test.workload.generator) : test.workload.generator;
  const main = test.nemesis?.generator ? any(clients(clientGen), nemesisOnly(test.nemesis.generator)) : clients(clientGen);
  const steps: Generator[] = [timeLimit(test.timeLimitS, main)];
  if (test.nemesis?.finalGenerator) steps.push(nemesisOnly(test.nemesis.finalGenerator));
  if (test.recoveryS > 0) steps.push(sleep(test.recoveryS));
  if (test.workload.finalGenerator) steps.push(clients(test.workload.finalGenerator));
  return phases(...steps);
}

/** The part of a test every part may read (the `test` of every context). */
export function testInfo(t: Test): TestInfo {
  return { name: t.name, nodes: t.nodes, concurrency: t.concurrency, timeLimitS: t.timeLimitS, opTimeoutMs: t.opTimeoutMs, seed: t.seed, options: t.options };
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
  const started = new Date();
  const runDir = createRunDir(test.resultsDir, test.name, started);
  const log = io.log ?? createLogger({ stderr: true });
  log.setFile?.(join(runDir, RUN_FILES.log));
  writeFileSync(join(runDir, RUN_FILES.test), JSON.stringify(testRecord(test, started), null, 2) + '\n');
  log.info(`run directory ${runDir}`);
  if (test.replay) log.info(`seed ${test.seed}; replay with: ${test.replay.join(' ')}`);

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
  const plannedS = test.timeLimitS + test.recoveryS + (2 * test.opTimeoutMs) / 1000;
  const watchdog = setTimeout(() => stop(`watchdog: the run exceeded its planned ${plannedS.toFixed(0)} s by ${WATCHDOG_GRACE_S} s`), (plannedS + WATCHDOG_GRACE_S) * 1000);
  watchdog.unref();

  const info = testInfo(test);
  let context: RunContext | null = null;
  let setupError: unknown;
  let ran = false;
  const onNodes = async (ctx: RunContext, what: string, fn: (node: NodeContext) => Promise<void>): Promise<void> => {
    const outcomes = await Promise.allSettled(ctx.cluster.nodes.map((n) => fn(nodeContext(ctx, n))));
    outcomes.forEach((r, i) => {
      if (r.status === 'rejected') throw new FaultlineError('E_SETUP', `${what} failed on ${ctx.cluster.nodes[i]!.name}: ${describe(r.reason)}`, { cause: r.reason });
    });
  };
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
    if (test.db) {
      log.info(`db ${test.db.name}: setting up ${cluster.nodes.map((n) => n.name).join(', ')}`);
      const db = test.db;
      await onNodes(context, 'db setup', (n) => db.setup(n));
    }
    await test.client.setup?.(context);
    await test.nemesis?.nemesis.setup?.(context);
    if (!runAbort.signal.aborted) {
      ran = true;
      log.info(`running ${test.workload.name} for ${test.timeLimitS} s with ${test.concurrency} clients; nemesis: ${test.nemesis?.styles.map((s) => s.name).join(',') || 'none'}`);
      const counts: RunProgress = { elapsedNs: 0, completed: 0, ok: 0, fail: 0, info: 0 };
      const onProgress = io.onProgress;
      const result = await runInterpreter({
        context,
        concurrency: test.concurrency,
        generator: buildGenerator(test),
        clientFactory: test.client,
        nemesis: test.nemesis?.nemesis ?? null,
        onEvent: (op) => {
          recorder.append(op);
          if (op.type !== 'invoke' && op.process !== 'nemesis') {
            counts.completed++;
            counts[op.type]++;
          }
        },
        keepHistory: false,
        opTimeoutMs: test.opTimeoutMs,
        seed: test.seed,
        signal: runAbort.signal,
        ...(onProgress ? { onProgress: (p) => onProgress({ ...counts, elapsedNs: p.elapsedNs }) } : {}),
      });
      log.info(`run finished: ${result.invocations} invocations, ${result.ok} ok, ${result.fail} fail, ${result.info} info${result.interrupted ? ' (interrupted)' : ''}`);
    }
  } catch (e) {
    if (!ran) setupError = e;
    errors.push(describe(e));
    log.error(describe(e));
  } finally {
    clearTimeout(watchdog);
    await teardown(test, context, runDir, errors, log);
    await recorder.close();
  }

  const checked = await checkRunDir(runDir, runChecker(test), {
    test: info,
    testRecord: testRecord(test, started),
    errors,
    checkerTimeS: test.checkerTimeS,
    log,
  });
  updateLatestLinks(test.resultsDir, runDir);
  if (setupError !== undefined && checked.valid === true) {
    // A run that never got going proves nothing: do not call it valid.
    checked.results['valid'] = 'unknown';
    return { runDir, valid: 'unknown', results: checked.results, errors, setupError };
  }
  return { runDir, valid: checked.valid, results: checked.results, errors, ...(setupError !== undefined ? { setupError } : {}) };
}

/** Heals, tears down and collects logs; every failure is recorded, none stops the others. */
async function teardown(test: Test, ctx: RunContext | null, runDir: string, errors: string[], log: Logger): Promise<void> {
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
  }
  await attempt(`provider ${test.provider.name} down`, () => test.provider.down());
}
