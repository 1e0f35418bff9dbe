/**
 * The linearizable checker's result, assembled from per-partition outcomes the same way whether
 * the history was checked whole (checker.ts) or op by op (online.ts): the merged verdict, the
 * counterexample of the first invalid partition (the failing op, the ops concurrent with it,
 * the longest partial linearizations), or why the check could not decide.
 */
import type { Op } from '../../src/core/op.ts';
import { mergeAll, type CheckResult } from '../../src/core/validity.ts';
import type { PartitionOutcome } from './check-partition.ts';

/** At most this many ops in a counterexample's window. */
const WINDOW_LIMIT = 60;

/** An op as the evidence shows it: invocation and completion indices, times and observed value. */
export interface OpSummary {
  index: number;
  completion: number;
  process: Op['process'];
  f: string;
  value: unknown;
  type: string;
  time: number;
  completionTime?: number;
}

export function opSummary(invocation: Op, completion: Op | undefined): OpSummary {
  const s: OpSummary = {
    index: invocation.index,
    completion: completion?.index ?? -1,
    process: invocation.process,
    f: invocation.f,
    value: completion && completion.type === 'ok' ? completion.value : invocation.value,
    type: completion?.type ?? 'info',
    time: invocation.time,
  };
  if (completion) s.completionTime = completion.time;
  return s;
}

/** An op of a partition as the window sees it: invocation and return positions (Infinity: none). */
export interface Interval {
  call: number;
  ret: number;
}

/**
 * The invocation indices to show around the failing op: the ops concurrent with it and the
 * related ones, nearest first, at most WINDOW_LIMIT, in history order.
 */
export function failingWindow(failing: number, ops: Iterable<Interval>, related: readonly number[]): number[] {
  const all = [...ops];
  const hi = all.find((x) => x.call === failing)?.ret ?? failing;
  const picked = new Set<number>(related);
  for (const x of all) if (x.call <= hi && x.ret >= failing) picked.add(x.call);
  return [...picked].sort((a, b) => Math.abs(a - failing) - Math.abs(b - failing)).slice(0, WINDOW_LIMIT).sort((a, b) => a - b);
}

export interface Assembly {
  model: string;
  /** In partition order; a missing outcome was never reached (another partition failed first). */
  outcomes: (PartitionOutcome | undefined)[];
  keys: (string | number | null)[];
  opsPer: number[];
  /** Summaries of the first failing partition's ops, by invocation index. */
  summarize(partition: number, indices: readonly number[]): (OpSummary | undefined)[];
  /** The invocation indices of that partition's window around `failing`. */
  windowOf(partition: number, failing: number, related: readonly number[]): number[];
  budget: { timeMs: number | undefined; memoryMb: number };
  stats: { ops: number; dropped: number; started: number };
}

/** The checker's result from its partitions' outcomes (see checker.ts for the fields). */
export function assemble(a: Assembly): CheckResult {
  const results: PartitionOutcome[] = a.keys.map(
    (key, i) => a.outcomes[i] ?? { key, valid: 'unknown', cause: 'cancelled', method: 'wgl', ops: a.opsPer[i]!, configs: 0, states: 0, ms: 0 },
  );
  const valid = mergeAll(results.map((r) => r.valid));
  const result: CheckResult = { valid, model: a.model };
  const failed = results.findIndex((r) => r.valid === false && r.failure);
  const f = results[failed]?.failure;
  if (f) {
    const window = a.windowOf(failed, f.op, f.related);
    const counterexample = {
      partition: results[failed]!.key,
      op: a.summarize(failed, [f.op])[0],
      reason: f.reason,
      window: a.summarize(failed, window).filter((s) => s !== undefined),
      partials: f.partials,
    };
    result.anomalyTypes = ['nonlinearizable'];
    result.anomalies = [counterexample];
    result.counterexample = counterexample;
  } else if (valid === 'unknown') {
    const unknown = results.filter((r) => r.valid === 'unknown');
    const causes = [...new Set(unknown.map((r) => r.error ?? r.cause ?? 'unknown'))];
    const { timeMs, memoryMb } = a.budget;
    result.error = `${unknown.length} of ${results.length} partitions undecided: ${causes
      .map((c) => (c === 'timeout' ? `time budget of ${timeMs} ms ran out` : c === 'memory' ? `memory budget of ${memoryMb} MB ran out` : c === 'cancelled' ? 'cancelled' : c))
      .join('; ')}`;
  }
  result.partitions = results.map(({ failure: _failure, ...rest }) => rest);
  result.stats = {
    ops: a.stats.ops,
    dropped: a.stats.dropped,
    partitions: results.length,
    configs: results.reduce((s, r) => s + r.configs, 0),
    ms: Math.round((performance.now() - a.stats.started) * 100) / 100,
  };
  return result;
}
