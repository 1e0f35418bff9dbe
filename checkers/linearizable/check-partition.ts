/**
 * Checks one partition and returns plain data (it may run on a worker thread): the verdict,
 * how it was reached, a verified witness linearization when valid, and when not the op that
 * cannot be linearized with the longest partial linearizations and the states they lead to.
 * All op references are history indices of invocations.
 */
import { describeState, isInconsistent, type Model } from './model.ts';
import type { Partition } from './prepare.ts';
import { search, type SearchLimits } from './search.ts';
import { kvWitness } from './kv-witness.ts';
import { pruneUnobservedWrites } from './prune.ts';
import { uniqueRegisterCheck } from './unique-register.ts';
import { verifyLinearization } from './witness.ts';

export interface PartialLinearization {
  /** The ops linearized, in order, with the model state after each. */
  ops: { index: number; state: string }[];
  /** The op whose return forced the search back (-1 when none). */
  blocked: number;
  /** Ops that were pending at that point and why each could not go next. */
  candidates: { index: number; reason: string }[];
}

export interface PartitionFailure {
  /** The op that cannot be linearized. */
  op: number;
  reason: string;
  /** Ops that take part in the failure (fast path) or the last partial linearization's ops. */
  related: number[];
  /** Longest partial linearizations reached (empty for the fast path). */
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

function reasonFor(model: Model<any>, state: unknown, p: Partition, e: number, seenBlocked: boolean): string {
  const r = model.step(state, p.ops[e]!);
  if (isInconsistent(r)) return r.message;
  return seenBlocked ? 'legal here, but every continuation after it fails' : 'legal here';
}

function describeEntry(p: Partition, index: number): string {
  const e = p.call.indexOf(index);
  const op = p.ops[e];
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
  const r = search(model, p, limits);
  const stats = { configs: r.configs, states: r.transitions.states.length, steps: r.transitions.steps };
  const states = r.transitions.states;
  const partials: PartialLinearization[] = r.partials.map((x) => {
    const last = x.states.length > 0 ? x.states[x.states.length - 1]! : r.initState;
    return {
      ops: x.entries.map((e, i) => ({ index: p.call[e]!, state: describeState(model, states[x.states[i]!]) })),
      blocked: x.blocked >= 0 ? p.call[x.blocked]! : -1,
      candidates: x.candidates.map((e) => ({ index: p.call[e]!, reason: reasonFor(model, states[last], p, e, true) })),
    };
  });
  if (r.status === 'ok') {
    const order = r.linearization!;
    const problem = verifyLinearization(model, p, order);
    if (problem !== null) throw new Error(`linearizability search produced an invalid witness for partition ${String(p.key)}: ${problem}`);
    return { ...base, ...stats, valid: true, method: 'wgl', ms: performance.now() - started, linearization: order.map((e) => p.call[e]!) };
  }
  if (r.status === 'illegal') {
    const best = partials[0];
    const blocked = best?.blocked ?? -1;
    const failing = blocked >= 0 ? blocked : (best?.candidates[0]?.index ?? p.call[0] ?? -1);
    const lastState = best && best.ops.length > 0 ? best.ops[best.ops.length - 1]!.state : describeState(model, states[r.initState]);
    return {
      ...base,
      ...stats,
      valid: false,
      method: 'wgl',
      ms: performance.now() - started,
      failure: {
        op: failing,
        reason: `${describeEntry(p, failing)} cannot be linearized: the longest partial linearization (${best?.ops.length ?? 0} ops) ends in state ${lastState}${blockedReason(best, failing)}`,
        related: best ? [...best.candidates.map((c) => c.index)].sort((a, b) => a - b) : [],
        partials,
      },
    };
  }
  return { ...base, ...stats, valid: 'unknown', cause: r.status, method: 'wgl', ms: performance.now() - started, partials };
}
