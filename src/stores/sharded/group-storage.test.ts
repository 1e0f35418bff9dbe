// Several Raft groups on one node's disk: a journal replayed into each group's log and state
// gives every group back exactly what it wrote, whatever the interleaving.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DurableContents, DurableStorage, LogRecord } from '../runtime.ts';
import { GroupDisks, replayJournal } from './group-storage.ts';

/** A disk that keeps everything (durability itself is the simulator's business). */
function memoryDisk(log: LogRecord[] = []): DurableStorage & { log: LogRecord[] } {
  return {
    log,
    load: () => ({ state: undefined, log: [...log] }),
    append: records => void log.push(...records),
    truncate: from => void (log.length = from - 1),
    saveState: () => {},
    flush: done => done(),
  };
}

type Step = { g: string; op: 'append'; n: number } | { g: string; op: 'truncate'; from: number } | { g: string; op: 'state'; term: number };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ g: fc.constantFrom('p', 'g1', 'g2'), op: fc.constant('append' as const), n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ g: fc.constantFrom('p', 'g1', 'g2'), op: fc.constant('truncate' as const), from: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ g: fc.constantFrom('p', 'g1', 'g2'), op: fc.constant('state' as const), term: fc.nat(9) }),
);

describe('group storage', () => {
  it('gives each group back its own log and state after a restart', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), steps => {
        const disk = memoryDisk();
        const groups = new GroupDisks(disk);
        const model = new Map<string, DurableContents>();
        let counter = 0;
        for (const s of steps) {
          const st = groups.storage(s.g);
          const m = model.get(s.g) ?? { state: undefined, log: [] };
          model.set(s.g, m);
          if (s.op === 'append') {
            const recs = Array.from({ length: s.n }, () => ({ term: 1, command: { c: counter++ } }));
            st.append(recs);
            m.log.push(...recs);
          } else if (s.op === 'truncate') {
            st.truncate(s.from);
            m.log.length = Math.min(m.log.length, s.from - 1);
          } else {
            st.saveState({ term: s.term });
            m.state = { term: s.term };
          }
        }
        const restarted = new GroupDisks(memoryDisk(disk.log));
        for (const [g, m] of model) expect(restarted.storage(g).load()).toEqual(m);
        expect(restarted.storage('g9').load()).toEqual({ state: undefined, log: [] });
      }),
    );
  });

  it('names the record that is not a group journal record', () => {
    expect(() => replayJournal([{ term: 1, command: { kind: 'noop' } }])).toThrow(/journal record 1/);
  });
});
