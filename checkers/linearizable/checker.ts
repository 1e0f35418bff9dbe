/**
 * The linearizability Checker: prepares the history for the model, checks each partition (in
 * this thread first for a short slice, then on worker threads for the partitions that need
 * longer), merges the verdicts (false > unknown > true) and assembles the evidence. `begin`
 * checks the same way op by op, in bounded memory (online.ts).
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
 *   longest partial linearizations reached: ops with the model state after each (the last 48;
 *   `elided` counts the earlier ones and `startState` is where they left the model), the op
 *   that blocked them and every pending candidate with the reason it could not go next.
 * - when unknown: `error` says why (time / memory budget, cancelled, worker died), and
 *   `partitions[i].partials` shows how far the search got.
 */
import { availableParallelism } from 'node:os';
import type { CheckBudget, CheckContext, CheckSession, IncrementalChecker } from '../../src/core/checker.ts';
import type { History } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { checkPartition, type PartitionOutcome } from './check-partition.ts';
import { assemble, failingWindow, opSummary, type Interval, type OpSummary } from './evidence.ts';
import type { Model } from './model.ts';
import { LinearizabilitySession } from './online.ts';
import { createModel } from './models/index.ts';
import { runOnWorkers } from './pool.ts';
import { prepareHistory, type Partition } from './prepare.ts';
import { limitsFor } from './search.ts';

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

const QUICK_SLICE_MS = 5;

function summaryOf(history: History, p: Partition, index: number): OpSummary | undefined {
  const inv = history[index];
  if (!inv) return undefined;
  const j = p.call.indexOf(index);
  return opSummary(inv, j >= 0 && p.completion[j]! >= 0 ? history[p.completion[j]!] : undefined);
}

function* intervalsOf(p: Partition): Generator<Interval> {
  for (let e = 0; e < p.call.length; e++) yield { call: p.call[e]!, ret: p.ret[e]! };
}

export function linearizable(opts: LinearizableOptions): IncrementalChecker {
  const name = opts.name ?? 'linearizable';
  const modelOf = (): Model<any> => (typeof opts.model === 'string' ? createModel(opts.model, opts.init) : opts.model);
  return {
    name,
    begin(ctx: CheckContext): CheckSession {
      return new LinearizabilitySession({ model: modelOf(), budget: { ...opts.budget, ...ctx.budget }, signal: ctx.signal, ...(opts.stopOnFailure !== undefined ? { stopOnFailure: opts.stopOnFailure } : {}) });
    },
    async check(history: History, ctx: CheckContext): Promise<CheckResult> {
      const started = performance.now();
      const model = modelOf();
      const prepared = prepareHistory(history, model);
      const cancel = new Int32Array(new SharedArrayBuffer(4));
      const { timeMs, memoryMb, deadline, maxBytes } = limitsFor({ ...opts.budget, ...ctx.budget }, started, cancel);
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

      const all = prepared.partitions;
      return assemble({
        model: model.name,
        outcomes,
        keys: all.map((p) => p.key),
        opsPer: all.map((p) => p.ops.length),
        summarize: (i, indices) => indices.map((index) => summaryOf(history, all[i]!, index)),
        windowOf: (i, failing, related) => failingWindow(failing, intervalsOf(all[i]!), related),
        budget: { timeMs, memoryMb },
        stats: { ops: history.length, dropped: prepared.dropped, started },
      });
    },
  };
}
