/**
 * Pairing of invocations and completions: for every op, the index of its partner.
 * Checkers use this instead of re-scanning the history per op.
 */
import type { History } from '../core/op.ts';

/**
 * For an invoke at index i, `partner[i]` is the index of its completion, or -1 when it never
 * completed. For a completion, `partner[i]` is its invoke's index (-1 for an orphan completion,
 * which a well-formed history has none of).
 */
export function completionIndex(history: History): Int32Array {
  const partner = new Int32Array(history.length).fill(-1);
  const open = new Map<number | string, number>();
  for (let i = 0; i < history.length; i++) {
    const op = history[i]!;
    if (op.type === 'invoke') {
      open.set(op.process, i);
    } else {
      const inv = open.get(op.process);
      if (inv !== undefined) {
        partner[inv] = i;
        partner[i] = inv;
        open.delete(op.process);
      }
    }
  }
  return partner;
}

/** An invocation with its completion (undefined while it never completed). */
export interface OpPair {
  invoke: History[number];
  completion: History[number] | undefined;
}

/** All invocations with their completions, in invocation order. */
export function pairs(history: History): OpPair[] {
  const partner = completionIndex(history);
  const out: OpPair[] = [];
  for (let i = 0; i < history.length; i++) {
    const op = history[i]!;
    if (op.type !== 'invoke') continue;
    const j = partner[i]!;
    out.push({ invoke: op, completion: j >= 0 ? history[j] : undefined });
  }
  return out;
}
