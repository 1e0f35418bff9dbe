/**
 * Turns a history into the checker's input: client ops paired (invocation → completion), run
 * through the model's `prepare` (drop fails and unknown reads, keep crashed ops as optional),
 * and split into partitions for P-compositional models.
 *
 * Real-time order is history order: op a precedes op b when a's completion comes before b's
 * invocation in the history. An entry's `call` is its invocation's index and `ret` its
 * completion's index, or Infinity for an op that may take effect at any later point (`info`,
 * or never completed).
 */
import { HistoryError } from '../../src/core/errors.ts';
import type { History, Op } from '../../src/core/op.ts';
import { defaultPrepare, type Model, type ModelOp, type Outcome } from './model.ts';

/** One partition's ops, in invocation order, as plain data (it crosses to worker threads). */
export interface Partition {
  /** The partition key; null for a model without partitions. */
  key: string | number | null;
  ops: ModelOp[];
  /** History index of each op's invocation (its real-time start). */
  call: number[];
  /** History index of each op's completion; Infinity for ops that may take effect later. */
  ret: number[];
  /** History index of the completion, -1 when the op never completed. */
  completion: number[];
}

export interface Prepared {
  partitions: Partition[];
  /** Client ops dropped before the search (fails, reads with unknown results). */
  dropped: number;
}

/** How an op ended, from its completion (undefined: it never completed). */
export function outcomeOf(completion: Op | undefined): Outcome {
  return completion === undefined || completion.type === 'info' ? 'info' : completion.type === 'ok' ? 'ok' : 'fail';
}

/** Pairs client ops, prepares them for the model and partitions them. */
export function prepareHistory(history: History, model: Model<any>): Prepared {
  const open = new Map<number, number>();
  const partnerOf = new Int32Array(history.length).fill(-1);
  for (let i = 0; i < history.length; i++) {
    const op = history[i]!;
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      const prev = open.get(op.process);
      if (prev !== undefined) throw new HistoryError(`process ${op.process} invoked ${op.f} while its ${history[prev]!.f} at op ${prev} is still open`, i);
      open.set(op.process, i);
    } else {
      const inv = open.get(op.process);
      if (inv === undefined) throw new HistoryError(`${op.type} of ${op.f} by process ${op.process} has no open invocation`, i);
      if (history[inv]!.f !== op.f) throw new HistoryError(`completion f ${JSON.stringify(op.f)} does not match its invocation's f ${JSON.stringify(history[inv]!.f)} (op ${inv})`, i);
      partnerOf[inv] = i;
      open.delete(op.process);
    }
  }
  const prepare = model.prepare ?? defaultPrepare;
  const byKey = new Map<string | number | null, Partition>();
  let dropped = 0;
  for (let i = 0; i < history.length; i++) {
    const inv = history[i]!;
    if (inv.type !== 'invoke' || typeof inv.process !== 'number') continue;
    const j = partnerOf[i]!;
    const done = j >= 0 ? history[j] : undefined;
    const outcome = outcomeOf(done);
    const mop = prepare({ f: inv.f, invokeValue: inv.value, completionValue: done?.value, outcome, index: i });
    if (mop === null) {
      dropped++;
      continue;
    }
    const key = model.partition ? model.partition(mop) : null;
    let p = byKey.get(key);
    if (!p) {
      p = { key, ops: [], call: [], ret: [], completion: [] };
      byKey.set(key, p);
    }
    p.ops.push(mop);
    p.call.push(i);
    p.ret.push(mop.outcome === 'info' || j < 0 ? Infinity : j);
    p.completion.push(j);
  }
  return { partitions: [...byKey.values()], dropped };
}
