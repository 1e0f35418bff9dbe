// Fault schedules: built from a run's history (what, when, params, outcome, effect), written and
// read back, and replayed as a generator that issues the same faults at the same offsets with
// the concrete effect of each start (so shapes and targets are not redrawn).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/core/errors.ts';
import type { Op, OpType, ProcessId } from '../src/core/op.ts';

type Event = { time: number; process: ProcessId; type: OpType; f: string; value: unknown; error?: unknown };
import { nemesis as onNemesis, simulate } from '../src/generator/index.ts';
import { makeNemesisPackage } from './registry.ts';
import { parseSchedule, readSchedule, replaySchedule, scheduleFromHistory, writeSchedule } from './schedule.ts';

const S = 1e9;
const grudge = { n1: ['n2', 'n3'], n2: ['n1'], n3: ['n1'] };
const ops: Event[] = [
  { time: 0, process: 0, type: 'invoke', f: 'read', value: null },
  { time: 1 * S, process: 'nemesis', type: 'invoke', f: 'start-partition', value: { shape: 'one' } },
  { time: 1.1 * S, process: 'nemesis', type: 'ok', f: 'start-partition', value: { shape: 'one', grudge } },
  { time: 1.2 * S, process: 0, type: 'ok', f: 'read', value: 3 },
  { time: 3 * S, process: 'nemesis', type: 'invoke', f: 'start-kill', value: { targets: 'primaries' } },
  { time: 3.2 * S, process: 'nemesis', type: 'fail', f: 'start-kill', value: null, error: 'no primaries right now' },
  { time: 5 * S, process: 'nemesis', type: 'invoke', f: 'stop-partition', value: null },
  { time: 5.1 * S, process: 'nemesis', type: 'ok', f: 'stop-partition', value: 'healed' },
  { time: 7 * S, process: 'nemesis', type: 'invoke', f: 'start-clock', value: { deltaMs: 5 } },
];
const history: Op[] = ops.map((o, index): Op => ({ ...o, index }));

describe('fault schedules', () => {
  it('records every nemesis op with when, params, outcome and effect', () => {
    const s = scheduleFromHistory(history, 42);
    expect(s.seed).toBe(42);
    expect(s.entries).toEqual([
      { f: 'start-partition', value: { shape: 'one' }, time: 1 * S, endTime: 1.1 * S, outcome: 'ok', result: { shape: 'one', grudge } },
      { f: 'start-kill', value: { targets: 'primaries' }, time: 3 * S, endTime: 3.2 * S, outcome: 'fail', error: 'no primaries right now' },
      { f: 'stop-partition', value: null, time: 5 * S, endTime: 5.1 * S, outcome: 'ok', result: 'healed' },
      { f: 'start-clock', value: { deltaMs: 5 }, time: 7 * S, outcome: 'incomplete' },
    ]);
  });

  it('replays the same faults at the same offsets, with the concrete effect of starts that took', () => {
    const replay = simulate(onNemesis(replaySchedule(scheduleFromHistory(history)))).filter((o) => o.type === 'invoke');
    expect(replay.map((o) => [o.f, o.time, o.value])).toEqual([
      ['start-partition', 1 * S, { shape: 'one', grudge }],
      ['start-kill', 3 * S, { targets: 'primaries' }],
      ['stop-partition', 5 * S, null],
      ['start-clock', 7 * S, { deltaMs: 5 }],
    ]);
  });

  it('round-trips through schedule.json and rejects what is not a schedule', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'faultline-sched-'));
    try {
      const file = path.join(dir, 'schedule.json');
      const written = await writeSchedule(history, file, 7);
      expect(await readSchedule(file)).toEqual(written);
      await writeFile(file, '{"version":1,"entries":[{"f":"explode","time":0}]}');
      await expect(readSchedule(file)).rejects.toThrow(/schedule\.json: entry 0: f must be start-<kind> or stop-<kind>/);
      await expect(readSchedule(path.join(dir, 'missing.json'))).rejects.toThrow(InputError);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(() => parseSchedule({ version: 2, entries: [] })).toThrow(/not a Faultline schedule/);
    expect(() => parseSchedule({ version: 1, entries: [{ f: 'start-kill', time: -1 }] })).toThrow(/entry 0: time/);
  });

  it('a package built from a schedule replays it and can heal every kind it uses', () => {
    const db = { name: 'x', setup: async () => {}, teardown: async () => {}, kill: async () => {}, start: async () => {}, honoursFakeClock: true };
    const s = scheduleFromHistory(history);
    const pkg = makeNemesisPackage([], { nodes: ['n1', 'n2', 'n3'], db, schedule: s })!;
    expect(pkg.styles.map((x) => x.name).sort()).toEqual(['clock', 'kill', 'partition']);
    expect(simulate(onNemesis(pkg.generator!)).filter((o) => o.type === 'invoke').map((o) => o.f)).toEqual(s.entries.map((e) => e.f));
  });
});
