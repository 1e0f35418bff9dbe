/**
 * The search of `faultline sim`: seed after seed, each a whole test, until one fails, the seeds
 * run out or the time budget is spent. Seeds are consecutive from a base seed and split among
 * worker threads (worker w of W takes base + w, base + w + W, ...); every seed is deterministic,
 * so which thread ran it does not matter. The first failure stops every worker; its seed is then
 * run again here, which gives the same run, for the run directory and the shrinker. Searching
 * leaves out the checkers that only measure (seed-run.ts); the run again has every checker.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../core/context.ts';
import type { CheckResult, Validity } from '../core/validity.ts';
import { COMPILED, tsxApiUrl } from '../code-paths.ts';
import type { SimPlan, SimSpec } from './plan.ts';
import { runSeed, type SeedOutcome } from './seed-run.ts';

/** What a search learns from one seed. */
export interface SeedSummary {
  seed: number;
  valid: Validity;
  failed: boolean;
  failedCheckers: string[];
  /** Checkers with a liveness finding (an op kind that never succeeded), which does not stop the search. */
  liveness: string[];
  simMs: number;
  /** Client ops invoked (nemesis ops not counted). */
  ops: number;
  events: number;
  cutShort: boolean;
}

export interface SearchOptions {
  baseSeed: number;
  /** Run at most this many seeds. */
  seeds?: number | undefined;
  /** Stop starting seeds after this many wall-clock seconds. */
  timeBudgetS?: number | undefined;
  /** Worker threads (1: run in this thread). */
  workers: number;
  /** Config files the workers load parts from, as the plan did. */
  configs: readonly string[];
  signal?: AbortSignal;
  onSeed?: (s: SeedSummary) => void;
}

export interface SearchResult {
  summaries: SeedSummary[];
  /** The failing seed's whole run (run again in this thread), when one failed. */
  failure?: SeedOutcome;
  wallMs: number;
  /** Why the search stopped. */
  stopped: 'failure' | 'seeds' | 'budget' | 'interrupted';
}

export function summarize(o: SeedOutcome): SeedSummary {
  const checkers = (o.result['checkers'] as Record<string, CheckResult> | undefined) ?? {};
  const liveness = Object.entries(checkers)
    .filter(([, r]) => r.valid === false && r['liveness'] === true)
    .map(([name]) => name);
  const ops = o.history.filter((op) => op.type === 'invoke' && op.process !== 'nemesis').length;
  return { seed: o.seed, valid: o.valid, failed: o.failed, failedCheckers: o.failedCheckers, liveness, simMs: o.simMs, ops, events: o.events, cutShort: o.cutShort };
}

/** The seeds worker `index` of `count` runs, in order, within `seeds` seeds from `base`. */
export function* seedsOf(base: number, index: number, count: number, seeds: number | undefined): Generator<number> {
  for (let k = index; seeds === undefined || k < seeds; k += count) yield base + k;
}

/** Messages from a search worker. */
export type WorkerMessage = { kind: 'seed'; summary: SeedSummary } | { kind: 'done' } | { kind: 'error'; message: string };

/** What a search worker is started with. */
export interface WorkerTask {
  spec: SimSpec;
  configs: readonly string[];
  baseSeed: number;
  index: number;
  count: number;
  seeds?: number | undefined;
  /** performance.timeOrigin-based ms after which no seed starts. */
  deadline: number;
}

function spawn(task: WorkerTask): Worker {
  if (COMPILED) return new Worker(new URL('./search-worker.js', import.meta.url), { workerData: task });
  // Node 20 does not apply `--import` loaders to a worker's entry: register tsx, then import it.
  const entry = new URL('./search-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsxApiUrl())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: task });
}

export async function searchSeeds(plan: SimPlan, o: SearchOptions, log: Logger): Promise<SearchResult> {
  const started = performance.now();
  const deadline = o.timeBudgetS === undefined ? Infinity : Date.now() + o.timeBudgetS * 1000;
  const summaries: SeedSummary[] = [];
  let failing: SeedSummary | undefined;
  const take = (s: SeedSummary): void => {
    summaries.push(s);
    o.onSeed?.(s);
    if (s.failed && failing === undefined) failing = s;
  };
  if (o.workers <= 1) {
    for (const seed of seedsOf(o.baseSeed, 0, 1, o.seeds)) {
      if (Date.now() >= deadline || o.signal?.aborted) break;
      const outcome = await runSeed(plan, { seed }, { measurements: false });
      take(summarize(outcome));
      if (outcome.failed) break;
    }
  } else {
    await new Promise<void>((resolve, reject) => {
      const workers: Worker[] = [];
      let running = o.workers;
      const stopAll = (): void => {
        for (const w of workers) w.postMessage('stop');
      };
      o.signal?.addEventListener('abort', stopAll, { once: true });
      for (let index = 0; index < o.workers; index++) {
        const w = spawn({ spec: plan.spec, configs: o.configs, baseSeed: o.baseSeed, index, count: o.workers, seeds: o.seeds, deadline });
        workers.push(w);
        let finished = false;
        const finish = (error?: Error): void => {
          if (finished) return;
          finished = true;
          if (error) {
            stopAll();
            reject(error);
            return;
          }
          if (--running === 0) resolve();
        };
        w.on('message', (m: WorkerMessage) => {
          if (m.kind === 'seed') {
            take(m.summary);
            if (m.summary.failed) stopAll();
          } else if (m.kind === 'error') finish(new Error(`search worker ${index}: ${m.message}`));
          else finish();
        });
        w.on('error', (e) => finish(e));
        w.on('exit', (code) => finish(code === 0 ? undefined : new Error(`search worker ${index} exited with code ${code}`)));
      }
    });
  }
  const wallMs = performance.now() - started;
  if (failing !== undefined) {
    log.info(`seed ${failing.seed} failed (${failing.failedCheckers.join(', ')}); running it again here`);
    const failure = await runSeed(plan, { seed: failing.seed });
    if (!failure.failed) throw new Error(`seed ${failing.seed} failed in the search but not when run again: the simulation is not deterministic`);
    return { summaries, failure, wallMs, stopped: 'failure' };
  }
  const stopped = o.signal?.aborted ? 'interrupted' : o.seeds !== undefined && summaries.length >= o.seeds ? 'seeds' : 'budget';
  return { summaries, wallMs, stopped };
}
