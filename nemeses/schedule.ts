/**
 * Fault schedules: every nemesis op of a run (what, parameters, when, how it ended, the concrete
 * nodes/grudge it hit), saved as schedule.json next to the history, and a generator that replays
 * the same faults at the same offsets from the start of a later run. Replays use the concrete
 * value a fault completed with (e.g. the grudge actually applied), so shapes are not redrawn.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { InputError } from '../src/core/errors.ts';
import type { Generator, OpTemplate } from '../src/core/generator.ts';
import { isNemesisOp, type History } from '../src/core/op.ts';
import { lift } from '../src/generator/index.ts';
import { completionIndex } from '../src/history/pairs.ts';

export interface ScheduleEntry {
  f: string;
  /** The value the op was invoked with. */
  value: unknown;
  /** Nanoseconds since the start of the run when it was invoked. */
  time: number;
  /** When it completed; absent when it never did. */
  endTime?: number;
  outcome: 'ok' | 'fail' | 'info' | 'incomplete';
  /** What it did (the completion's value: nodes, grudge, links). */
  result?: unknown;
  error?: unknown;
}

export interface Schedule {
  version: 1;
  seed?: number;
  entries: ScheduleEntry[];
}

export function scheduleFromHistory(history: History, seed?: number): Schedule {
  const ci = completionIndex(history);
  const entries: ScheduleEntry[] = [];
  history.forEach((op, i) => {
    if (!isNemesisOp(op) || op.type !== 'invoke') return;
    const c = ci[i] ?? -1;
    const done = c >= 0 ? history[c] : undefined;
    const e: ScheduleEntry = { f: op.f, value: op.value, time: op.time, outcome: done ? (done.type as ScheduleEntry['outcome']) : 'incomplete' };
    if (done) {
      e.endTime = done.time;
      if (done.value !== undefined && done.value !== null) e.result = done.value;
      if (done.error !== undefined) e.error = done.error;
    }
    entries.push(e);
  });
  return { version: 1, ...(seed !== undefined ? { seed } : {}), entries };
}

export async function writeSchedule(history: History, file: string, seed?: number): Promise<Schedule> {
  const s = scheduleFromHistory(history, seed);
  await writeFile(file, JSON.stringify(s, null, 2) + '\n');
  return s;
}

/** Reads and checks a schedule.json; errors name the file and the entry at fault. */
export async function readSchedule(file: string): Promise<Schedule> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new InputError(`cannot read schedule: ${(e as Error).message}`, { file });
  }
  return parseSchedule(data, file);
}

export function parseSchedule(data: unknown, file = 'schedule.json'): Schedule {
  const d = data as Partial<Schedule> | null;
  if (!d || d.version !== 1 || !Array.isArray(d.entries)) throw new InputError('not a Faultline schedule (need {"version": 1, "entries": [...]})', { file });
  d.entries.forEach((e, i) => {
    if (!e || typeof e.f !== 'string' || !/^(start|stop)-/.test(e.f)) throw new InputError(`entry ${i}: f must be start-<kind> or stop-<kind>`, { file });
    if (typeof e.time !== 'number' || !(e.time >= 0)) throw new InputError(`entry ${i}: time must be a non-negative number of nanoseconds`, { file });
  });
  return d as Schedule;
}

/** The value to replay an entry with: the concrete effect of a start that took, else the original. */
export function replayValue(e: ScheduleEntry): unknown {
  const tookEffect = e.outcome === 'ok' || e.outcome === 'info';
  return e.f.startsWith('start-') && tookEffect && e.result !== undefined ? e.result : e.value;
}

/** Emits the schedule's ops in order, each at its recorded offset from the start of the run. */
export function replaySchedule(s: Schedule): Generator {
  const ops: OpTemplate[] = [...s.entries]
    .sort((a, b) => a.time - b.time)
    .map((e) => ({ f: e.f, value: replayValue(e), time: e.time }));
  return lift(ops);
}
