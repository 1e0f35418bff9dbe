/**
 * A seed's run as a script: its client ops (thread, op, when) and its faults (a schedule, the
 * format `faultline test --replay-schedule` reads), which a seed run plays instead of generating
 * them. The shrinker cuts scripts down; a script replays the same way every time.
 */
import type { Generator } from '../core/generator.ts';
import type { History } from '../core/op.ts';
import { scheduleFromHistory, type ScheduleEntry } from '../../nemeses/schedule.ts';

export interface ScriptedOp {
  /** Nanoseconds since the start at which it is invoked (later when its thread is still busy). */
  time: number;
  /** The client thread that invokes it. */
  thread: number;
  f: string;
  value: unknown;
}

export interface SimScript {
  /** Simulated seconds of the main phase. */
  timeLimitS: number;
  ops: ScriptedOp[];
  /** Fault ops with their recorded times and concrete effects. */
  faults: ScheduleEntry[];
}

/** The main phase of a recorded run as a script (final reads and heal-all ops are not part of it). */
export function scriptFromHistory(history: History, concurrency: number, timeLimitS: number): SimScript {
  const limitNs = timeLimitS * 1e9;
  const ops: ScriptedOp[] = [];
  for (const op of history) {
    if (op.type !== 'invoke' || typeof op.process !== 'number' || op['phase'] !== undefined) continue;
    ops.push({ time: op.time, thread: op.process % concurrency, f: op.f, value: op.value });
  }
  const faults = scheduleFromHistory(history).entries.filter((e) => e.time < limitNs);
  return { timeLimitS, ops, faults };
}

/** Emits the ops in order, each at its time on its thread once that thread is free. */
export function scriptedOps(ops: readonly ScriptedOp[], next = 0): Generator {
  const gen: Generator = {
    op(_test, ctx) {
      const s = ops[next];
      if (s === undefined) return null;
      if (!ctx.freeThreads.includes(s.thread)) return { op: 'pending', gen };
      const process = ctx.workers.get(s.thread)!;
      return { op: { type: 'invoke', f: s.f, value: s.value, process, time: Math.max(s.time, ctx.time) }, gen: scriptedOps(ops, next + 1) };
    },
    update: () => gen,
  };
  return gen;
}
