/**
 * Checks one partition and returns plain data (it may run on a worker thread): the verdict,
 * how it was reached, a verified witness linearization when valid, and when not the op that
 * cannot be linearized with the longest partial linearizations and the states they lead to.
 * All op references are history indices of invocations.
 */
import { describeState, type Model, type ModelOp } from './model.ts';
import type { Partition } from './prepare.ts';
import { Search, type PartialLinearization, type SearchLimits } from './search.ts';
import { kvWitness } from './kv-witness.ts';
import { pruneUnobservedWrites } from './prune.ts';
import { uniqueRegisterCheck } from './unique-register.ts';
import { verifyLinearization } from './witness.ts';

export type { PartialLinearization } from './search.ts';

export interface PartitionFailure {
  /** The op that cannot be linearized. */
  op: number;
  reason: string;
  /** Ops that take part in the failure (fast path) or the last partial linearization's ops. */
  related: number[];
  /** Longest partial linearizations reached (empty for the fast path); see search.ts. */
  partials: PartialLinearization[];
}

export interface PartitionOutcome {
  key: string | number | null;
  valid: true | false | 'unknown';
  /** Why the partition is unknown. */
  cause?: 'timeout' | 'memory' | 'cancelled';
  /** wgl: the search; unique-register / kv-witness: a fast path (see their files). */
  method: 'wgl' | 'unique-register' | 'kv-witness';
  ops: number;
  /** Indeterminate writes nobody could observe, dropped before the search (prune.ts). */
  pruned?: number;
  /** Search effort: configurations memoized, distinct model states, model steps computed. */
  configs: number;
  states: number;
  steps?: number;
  /** Times the search bounded its memory (search.ts: compaction). */
  compactions?: number;
  ms: number;
  /** Invocation indices in linearization order, when valid. */
  linearization?: number[];
  failure?: PartitionFailure;
  /** When unknown: the longest partial linearizations reached before stopping. */
  partials?: PartialLinearization[];
  /** Why the partition could not be checked at all (a worker died). */
  error?: string;
  /** True when it was checked on a worker thread. */
  worker?: boolean;
}

/** An op in a failure's words: `read 3 (op 12)`. */
export function describeOp(op: ModelOp | undefined, index: number): string {
  return op ? `${op.f} ${JSON.stringify(op.value)} (op ${index})` : `op ${index}`;
}

function blockedReason(best: PartialLinearization | undefined, failing: number): string {
  const c = best?.candidates.find((x) => x.index === failing);
  return c ? `, where ${c.reason}` : ', from which no pending op can go next';
}

export function checkPartition(model: Model<any>, whole: Partition, limits: SearchLimits, useFastPath = true): PartitionOutcome {
  const started = performance.now();
  const base = { key: whole.key, ops: whole.ops.length };
  const { partition: p, dropped } = pruneUnobservedWrites(model, whole);
  if (dropped > 0) Object.assign(base, { pruned: dropped });
  if (useFastPath) {
    const fast = uniqueRegisterCheck(model, p);
    if (fast && fast.valid && verifyLinearization(model, p, fast.linearization) === null) {
      return { ...base, valid: true, method: 'unique-register', configs: 0, states: 0, ms: performance.now() - started, linearization: fast.linearization.map((e) => p.call[e]!) };
    }
    if (fast && !fast.valid) {
      return {
        ...base,
        valid: false,
        method: 'unique-register',
        configs: 0,
        states: 0,
        ms: performance.now() - started,
        failure: { op: fast.op, reason: fast.reason, related: fast.related, partials: [] },
      };
    }
    const order = kvWitness(model, p);
    if (order && verifyLinearization(model, p, order) === null) {
      return { ...base, valid: true, method: 'kv-witness', configs: 0, states: 0, ms: performance.now() - started, linearization: order.map((e) => p.call[e]!) };
    }
  }
  const r = new Search(model);
  for (let e = 0; e < p.ops.length; e++) r.add(p.ops[e]!, p.call[e]!, p.ret[e]!);
  r.end();
  const status = r.run(limits);
  const stats = { configs: r.configs, states: r.tr.statesSeen, steps: r.tr.steps, compactions: r.compactions };
  if (status === 'ok') {
    const ok = { ...base, ...stats, valid: true as const, method: 'wgl' as const };
    const witness = r.witness();
    // A search that bounded its memory (very long partitions) keeps no whole witness.
    if (!witness) return { ...ok, ms: performance.now() - started };
    const entryOf = new Map(p.call.map((c, e) => [c, e]));
    const order = witness.map((c) => entryOf.get(c)!);
    const problem = verifyLinearization(model, p, order);
    if (problem !== null) throw new Error(`linearizability search produced an invalid witness for partition ${String(p.key)}: ${problem}`);
    return { ...ok, ms: performance.now() - started, linearization: witness };
  }
  const partials = r.describePartials();
  if (status === 'illegal') {
    const failure = failureOf(partials, () => describeState(model, model.init()), p.call[0] ?? -1, (index) => describeOp(p.ops[p.call.indexOf(index)], index));
    return { ...base, ...stats, valid: false, method: 'wgl', ms: performance.now() - started, failure };
  }
  return { ...base, ...stats, valid: 'unknown', cause: status === 'pending' ? 'cancelled' : status, method: 'wgl', ms: performance.now() - started, partials };
}

/**
 * The failure a search's longest partial linearizations show: the op that blocked the longest
 * one (or its first candidate), and the reason in words.
 */
export function failureOf(partials: PartialLinearization[], initState: () => string, fallbackOp: number, describeOp: (index: number) => string): PartitionFailure {
  const best = partials[0];
  const blocked = best?.blocked ?? -1;
  const failing = blocked >= 0 ? blocked : (best?.candidates[0]?.index ?? fallbackOp);
  const last = best?.ops[best.ops.length - 1];
  const lastState = last ? last.state : (best?.startState ?? initState());
  const length = (best?.ops.length ?? 0) + (best?.elided ?? 0);
  return {
    op: failing,
    reason: `${describeOp(failing)} cannot be linearized: the longest partial linearization (${length} ops) ends in state ${lastState}${blockedReason(best, failing)}`,
    related: best ? best.candidates.map((c) => c.index).sort((a, b) => a - b) : [],
    partials,
  };
}
