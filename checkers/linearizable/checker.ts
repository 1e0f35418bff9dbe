/**
 * The linearizability Checker: prepares the history for the model, checks each partition (in
 * this thread first for a short slice, then on worker threads for the partitions that need
 * longer), merges the verdicts (false > unknown > true) and assembles the evidence.
 *
 * Result fields (besides `valid`):
 * - `model`: the model's name; `stats`: { ops, dropped, partitions, configs, ms }.
 * - `partitions`: per partition { key, valid, method ('wgl' | 'unique-register'), ops,
 *   configs, states, ms, cause?, error?, linearization? }. `linearization` is the witness:
 *   invocation indices in linearization order (crashed ops that never took effect are absent).
 * - when invalid: `anomalyTypes: ['nonlinearizable']` and `counterexample` (also the one
 *   element of `anomalies`): { partition, op, reason, window, partials }. `op` is the op that
 *   cannot be linearized; `window` lists the ops of its partition concurrent with it (index,
 *   completion index, process, f, value, type), time-ordered, for drawing; `partials` are the
 *   longest partial linearizations reached: ops with the model state after each, the op that
 *   blocked them and every pending candidate with the reason it could not go next.
 * - when unknown: `error` says why (time / memory budget, cancelled, worker died), and
 *   `partitions[i].partials` shows how far the search got.
 */
import { availableParallelism } from 'node:os';
import type { CheckBudget, CheckContext, Checker } from '../../src/core/checker.ts';
import type { History } from '../../src/core/op.ts';
import { mergeAll, type CheckResult } from '../../src/core/validity.ts';
import { checkPartition, type PartitionOutcome } from './check-partition.ts';
import type { Model } from './model.ts';
import { createModel } from './models/index.ts';
import { runOnWorkers } from './pool.ts';
import { prepareHistory, type Partition } from './prepare.ts';

export interface LinearizableOptions {
  /** A registered model name (see MODELS) or a Model object. */
  model: string | Model<any>;
  /** Initial value for a named model (its default when absent). */
  init?: unknown;
  /** Defaults when the check context has no budget. Memory defaults to 1024 MB. */
  budget?: CheckBudget;
  /** Result key; defaults to "linearizable". */
  name?: string;
  /** Worker threads for slow partitions (named models only); default: available cores, 0 for none. */
  threads?: number;
  /**
   * How long a partition may run in this thread before it moves to a worker, restarting there
   * (ms, default 1000). Only with two or more partitions.
   */
  sliceMs?: number;
  /** Stop checking other partitions once one is invalid (default true). */
  stopOnFailure?: boolean;
  /** Use polynomial fast paths where they apply (default true). */
  fastPath?: boolean;
}

const DEFAULT_MEMORY_MB = 1024;
const WINDOW_LIMIT = 60;
const QUICK_SLICE_MS = 5;

function windowAround(history: History, p: Partition, failing: number, related: readonly number[]): Record<string, unknown>[] {
  const e = p.call.indexOf(failing);
  const lo = e >= 0 ? p.call[e]! : failing;
  const hi = e >= 0 ? p.ret[e]! : failing;
  const picked = new Set<number>(related);
  for (let i = 0; i < p.call.length; i++) {
    if (p.call[i]! <= hi && p.ret[i]! >= lo) picked.add(p.call[i]!);
  }
  const sorted = [...picked].sort((a, b) => Math.abs(a - failing) - Math.abs(b - failing)).slice(0, WINDOW_LIMIT).sort((a, b) => a - b);
  return sorted.map((index) => opSummary(history, p, index));
}

/** An op as the evidence shows it: invocation and completion indices, times and observed value. */
function opSummary(history: History, p: Partition, index: number): Record<string, unknown> {
  const inv = history[index]!;
  const j = p.call.indexOf(index);
  const c = j >= 0 && p.completion[j]! >= 0 ? history[p.completion[j]!] : undefined;
  return {
    index,
    completion: c?.index ?? -1,
    process: inv.process,
    f: inv.f,
    value: c && c.type === 'ok' ? c.value : inv.value,
    type: c?.type ?? 'info',
    time: inv.time,
    ...(c ? { completionTime: c.time } : {}),
  };
}

export function linearizable(opts: LinearizableOptions): Checker {
  const name = opts.name ?? 'linearizable';
  return {
    name,
    async check(history: History, ctx: CheckContext): Promise<CheckResult> {
      const started = performance.now();
      const model = typeof opts.model === 'string' ? createModel(opts.model, opts.init) : opts.model;
      const prepared = prepareHistory(history, model);
      const budget = { ...opts.budget, ...ctx.budget };
      const timeMs = budget.timeMs;
      const deadline = timeMs === undefined ? Infinity : started + Math.max(1, timeMs - Math.min(100, timeMs * 0.1));
      const memoryMb = budget.memoryMb ?? DEFAULT_MEMORY_MB;
      const maxBytes = memoryMb * 1024 * 1024 * 0.5;
      const cancel = new Int32Array(new SharedArrayBuffer(4));
      const onAbort = (): void => {
        Atomics.store(cancel, 0, 1);
      };
      ctx.signal?.addEventListener('abort', onAbort, { once: true });
      if (ctx.signal?.aborted) onAbort();
      const threads = typeof opts.model === 'string' ? (opts.threads ?? availableParallelism()) : 0;
      // A lone partition gains nothing from a worker (no parallelism): it runs here, unsliced.
      const sliceMs = threads > 0 && prepared.partitions.length > 1 ? (opts.sliceMs ?? 1000) : Infinity;
      const stopOnFailure = opts.stopOnFailure ?? true;
      const fastPath = opts.fastPath ?? true;

      const parts = prepared.partitions.map((p, i) => ({ p, i })).sort((a, b) => a.p.ops.length - b.p.ops.length);
      const outcomes: (PartitionOutcome | undefined)[] = new Array(prepared.partitions.length);
      let deferred: { p: Partition; i: number }[] = parts;
      let failed = false;
      try {
        let lastYield = performance.now();
        // With several partitions, a quick pass first finds the easy verdicts (an invalid key
        // among many is often found in a millisecond) before any partition gets a long slice.
        const slices = parts.length > 1 ? [Math.min(QUICK_SLICE_MS, sliceMs), sliceMs] : [sliceMs];
        for (const slice of slices) {
          const pending = deferred;
          deferred = [];
          for (const { p, i } of pending) {
            if (failed && stopOnFailure) break;
            const outcome = checkPartition(model, p, { deadline: Math.min(deadline, performance.now() + slice), maxBytes, cancel }, fastPath);
            if (outcome.valid === 'unknown' && outcome.cause === 'timeout' && performance.now() < deadline) {
              deferred.push({ p, i });
              continue;
            }
            outcomes[i] = outcome;
            if (outcome.valid === false) failed = true;
            if (performance.now() - lastYield > 20) {
              await new Promise((r) => setImmediate(r));
              lastYield = performance.now();
            }
          }
        }
        if (deferred.length > 0 && !(failed && stopOnFailure)) {
          // The memory budget is shared by the workers running at once.
          const workers = Math.min(threads, deferred.length);
          const tasks = deferred.map(({ p }) => ({
            model: opts.model as string,
            init: opts.init,
            partition: p,
            remainingMs: Math.max(0, deadline - performance.now()),
            maxBytes: maxBytes / workers,
            cancel,
            fastPath,
          }));
          await runOnWorkers(tasks, workers, Math.max(64, Math.floor(memoryMb / workers)), (k, outcome) => {
            outcomes[deferred[k]!.i] = outcome;
            if (outcome.valid === false && stopOnFailure) Atomics.store(cancel, 0, 1);
          });
        }
      } finally {
        ctx.signal?.removeEventListener('abort', onAbort);
      }

      const results: PartitionOutcome[] = prepared.partitions.map(
        (p, i) => outcomes[i] ?? { key: p.key, valid: 'unknown', cause: 'cancelled', method: 'wgl', ops: p.ops.length, configs: 0, states: 0, ms: 0 },
      );
      const valid = mergeAll(results.map((r) => r.valid));
      const result: CheckResult = { valid, model: model.name };
      const firstFailure = results.find((r) => r.valid === false && r.failure);
      if (firstFailure?.failure) {
        const f = firstFailure.failure;
        const p = prepared.partitions[results.indexOf(firstFailure)]!;
        const counterexample = {
          partition: firstFailure.key,
          op: history[f.op] ? opSummary(history, p, f.op) : undefined,
          reason: f.reason,
          window: windowAround(history, p, f.op, f.related),
          partials: f.partials,
        };
        result.anomalyTypes = ['nonlinearizable'];
        result.anomalies = [counterexample];
        result.counterexample = counterexample;
      } else if (valid === 'unknown') {
        const unknown = results.filter((r) => r.valid === 'unknown');
        const causes = [...new Set(unknown.map((r) => r.error ?? r.cause ?? 'unknown'))];
        result.error = `${unknown.length} of ${results.length} partitions undecided: ${causes
          .map((c) => (c === 'timeout' ? `time budget of ${timeMs} ms ran out` : c === 'memory' ? `memory budget of ${memoryMb} MB ran out` : c === 'cancelled' ? 'cancelled' : c))
          .join('; ')}`;
      }
      result.partitions = results.map(({ failure: _failure, ...rest }) => rest);
      result.stats = {
        ops: history.length,
        dropped: prepared.dropped,
        partitions: results.length,
        configs: results.reduce((s, r) => s + r.configs, 0),
        ms: Math.round((performance.now() - started) * 100) / 100,
      };
      return result;
    },
  };
}
