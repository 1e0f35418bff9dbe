/**
 * Well-formedness of a history, which every checker relies on: known types, completions that
 * follow an invocation of the same process and f (lone nemesis completions, which older Jepsen
 * histories contain, are allowed), no process with two open invocations, dense indices and
 * non-decreasing times.
 */
import { OP_TYPES, type History } from '../core/op.ts';
import { HistoryError } from '../core/errors.ts';

export interface HistoryProblem {
  index: number;
  message: string;
}

const KNOWN_TYPES = new Set<string>(OP_TYPES);

/** Every problem found, in history order; empty for a well-formed history. */
export function validateHistory(history: History, limit = 100): HistoryProblem[] {
  const problems: HistoryProblem[] = [];
  const open = new Map<unknown, number>();
  let lastTime = -Infinity;
  for (let i = 0; i < history.length && problems.length < limit; i++) {
    const op = history[i]!;
    const at = (message: string): void => {
      problems.push({ index: i, message });
    };
    if (op.index !== i) at(`index is ${String(op.index)}, expected ${i}`);
    if (!KNOWN_TYPES.has(op.type)) {
      at(`unknown type ${JSON.stringify(op.type)} (expected invoke, ok, fail or info)`);
      continue;
    }
    const p = op.process;
    if (!(typeof p === 'number' && Number.isInteger(p) && p >= 0) && p !== 'nemesis') {
      at(`process must be a non-negative integer or "nemesis", got ${JSON.stringify(p)}`);
      continue;
    }
    if (typeof op.f !== 'string' || op.f === '') at(`f must be a non-empty string, got ${JSON.stringify(op.f)}`);
    if (typeof op.time !== 'number' || !Number.isFinite(op.time)) {
      at(`time must be a number of nanoseconds, got ${JSON.stringify(op.time)}`);
    } else {
      if (op.time < lastTime) at(`time ${op.time} goes backwards (previous op at ${lastTime})`);
      lastTime = op.time;
    }
    if (op.type === 'invoke') {
      const prev = open.get(p);
      if (prev !== undefined) {
        at(`process ${String(p)} invoked ${op.f} while its invocation at op ${prev} (${history[prev]!.f}) is still open`);
      }
      open.set(p, i);
    } else {
      const inv = open.get(p);
      if (inv === undefined) {
        // Older Jepsen histories log some nemesis events as lone completions; they carry no
        // client effect, so checkers can ignore them.
        if (p !== 'nemesis') at(`${op.type} completion of ${op.f} by process ${String(p)} without an open invocation`);
        continue;
      }
      const invOp = history[inv]!;
      if (invOp.f !== op.f) at(`completion f ${JSON.stringify(op.f)} does not match its invocation's f ${JSON.stringify(invOp.f)} at op ${inv}`);
      open.delete(p);
    }
  }
  return problems;
}

/** Throws a HistoryError naming the first problem (and how many more there are). */
export function assertWellFormed(history: History): void {
  const problems = validateHistory(history);
  const first = problems[0];
  if (!first) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1}${problems.length >= 100 ? '+' : ''} more problems)` : '';
  throw new HistoryError(first.message + more, first.index);
}
