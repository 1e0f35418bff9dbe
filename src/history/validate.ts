/**
 * Well-formedness of a history, which every checker relies on: known types, completions that
 * follow an invocation of the same process and f (lone nemesis completions, which older Jepsen
 * histories contain, are allowed), no process with two open invocations, dense indices and
 * non-decreasing times. HistoryValidator checks the same op by op, for a history read in one pass.
 */
import { OP_TYPES, type History, type Op } from '../core/op.ts';
import { HistoryError } from '../core/errors.ts';

export interface HistoryProblem {
  index: number;
  message: string;
}

const KNOWN_TYPES = new Set<string>(OP_TYPES);

/**
 * Checks ops one at a time, in history order, remembering only the open invocations: what a
 * reader that never holds the whole history uses (validateHistory is built on it).
 *
 *   const v = new HistoryValidator();
 *   for (const op of ops) { const problems = v.check(op); if (problems.length) ... }
 */
export class HistoryValidator {
  private readonly open = new Map<unknown, { index: number; f: string }>();
  private lastTime = -Infinity;
  private next = 0;

  /** The problems with `op`, the next op of the history; empty when it may follow the ones before. */
  check(op: Op): string[] {
    const problems: string[] = [];
    const i = this.next++;
    if (op.index !== i) problems.push(`index is ${String(op.index)}, expected ${i}`);
    if (!KNOWN_TYPES.has(op.type)) {
      problems.push(`unknown type ${JSON.stringify(op.type)} (expected invoke, ok, fail or info)`);
      return problems;
    }
    const p = op.process;
    if (!(typeof p === 'number' && Number.isInteger(p) && p >= 0) && p !== 'nemesis') {
      problems.push(`process must be a non-negative integer or "nemesis", got ${JSON.stringify(p)}`);
      return problems;
    }
    if (typeof op.f !== 'string' || op.f === '') problems.push(`f must be a non-empty string, got ${JSON.stringify(op.f)}`);
    if (typeof op.time !== 'number' || !Number.isFinite(op.time)) {
      problems.push(`time must be a number of nanoseconds, got ${JSON.stringify(op.time)}`);
    } else {
      if (op.time < this.lastTime) problems.push(`time ${op.time} goes backwards (previous op at ${this.lastTime})`);
      this.lastTime = op.time;
    }
    if (op.type === 'invoke') {
      const prev = this.open.get(p);
      if (prev !== undefined) problems.push(`process ${String(p)} invoked ${op.f} while its invocation at op ${prev.index} (${prev.f}) is still open`);
      this.open.set(p, { index: i, f: op.f });
      return problems;
    }
    const inv = this.open.get(p);
    if (inv === undefined) {
      // Older Jepsen histories log some nemesis events as lone completions; they carry no
      // client effect, so checkers can ignore them.
      if (p !== 'nemesis') problems.push(`${op.type} completion of ${op.f} by process ${String(p)} without an open invocation`);
      return problems;
    }
    if (inv.f !== op.f) problems.push(`completion f ${JSON.stringify(op.f)} does not match its invocation's f ${JSON.stringify(inv.f)} at op ${inv.index}`);
    this.open.delete(p);
    return problems;
  }
}

/** Every problem found, in history order; empty for a well-formed history. */
export function validateHistory(history: History, limit = 100): HistoryProblem[] {
  const problems: HistoryProblem[] = [];
  const v = new HistoryValidator();
  for (let i = 0; i < history.length && problems.length < limit; i++) {
    for (const message of v.check(history[i]!)) problems.push({ index: i, message });
  }
  return problems.slice(0, limit);
}

/** Throws a HistoryError naming the first problem (and how many more there are). */
export function assertWellFormed(history: History): void {
  const problems = validateHistory(history);
  const first = problems[0];
  if (!first) return;
  const more = problems.length > 1 ? ` (and ${problems.length - 1}${problems.length >= 100 ? '+' : ''} more problems)` : '';
  throw new HistoryError(first.message + more, first.index);
}
