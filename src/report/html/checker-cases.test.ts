// Cases of the checkers read by checker-cases.ts, from real results on hand-built histories: each
// op with its role in the order to show, the session to draw, the causal chain, the staleness
// histogram, and results from other shapes ignored.
import { describe, expect, it } from 'vitest';
import { HistoryBuilder } from '../../inprocess/history-builder.ts';
import { causalReverse } from '../../../checkers/causal/causal-reverse.ts';
import { sessionGuarantees } from '../../../checkers/session/session-guarantees.ts';
import { staleReads } from '../../../checkers/stale-reads/stale-reads.ts';
import { checkerCases } from './checker-cases.ts';

describe('checkerCases', () => {
  it('stale reads: the read, the write it missed and the write of its value; a bucketed histogram', () => {
    const b = new HistoryBuilder().op(0, 'write', 1).op(0, 'write', 2).op(0, 'write', 3).op(0, 'write', 4).wait(10).invoke(1, 'read', null).ok(1, 1, { node: 'n2' });
    const h = b.build();
    const { cases, tables } = checkerCases('stale-reads', staleReads().check(h), h.length, 20)!;
    expect(cases).toHaveLength(1);
    expect(cases[0]!.roles).toEqual([
      [9, 'stale read, answered by n2'],
      [2, 'first write it missed'],
      [0, 'write of the value it read'],
    ]);
    expect(cases[0]!.explanation[0]).toBe('A read answered by n2 returned 1 although 3 newer writes had completed before it began.');
    expect(tables[0]).toMatchObject({ caption: 'Stale reads by versions behind', rows: [['3–4', '1']], bars: true });
  });

  it('session guarantees: the two ops of the session, the read that shows it, and the session to draw', () => {
    const h = new HistoryBuilder().op(0, 'write', ['x', 1]).op(0, 'write', ['x', 2]).op(1, 'read', ['x', null], 'ok', ['x', [2]]).build();
    const { cases } = checkerCases('session', sessionGuarantees().check(h), h.length, 20)!;
    expect(cases.map((c) => c.type)).toEqual(['monotonic-writes']);
    expect(cases[0]!.roles).toEqual([
      [0, 'its earlier write'],
      [2, 'its later write'],
      [5, 'read with the later write only'],
    ]);
    expect(cases[0]!.session).toEqual({ process: 0, from: 0, to: 2 });
  });

  it('causal reversals: the chain through the read that linked the writes, then the read out of order', () => {
    const h = new HistoryBuilder()
      .invoke(0, 'write', ['x', 1])
      .op(1, 'read', ['x'], 'ok', { x: [1] })
      .op(1, 'write', ['y', 2])
      .op(2, 'read', ['x', 'y'], 'ok', { x: [], y: [2] })
      .info(0)
      .build();
    const { cases, tables } = checkerCases('causal-reverse', causalReverse().check(h), h.length, 20)!;
    expect(cases[0]!.roles.map(([i, role]) => [i, role.split(' ')[0]])).toEqual([
      [0, 'earlier'],
      [2, 'read'],
      [3, 'later'],
      [6, 'read:'],
    ]);
    expect(cases[0]!.explanation[0]).toBe('op 0 by p0 wrote 1 to key x; op 2 by p1 read it, and then that client wrote 2 to key y (op 3 by p1).');
    expect(tables[0]!.rows.map((r) => r[1])).toEqual(['0', '1', '0']);
  });

  it('leaves checkers without a reader of their own, and odd shapes, to the tolerant reader', () => {
    expect(checkerCases('set-full', { valid: false }, 10, 20)).toBeUndefined();
    expect(checkerCases('stale-reads', { valid: false, worst: 'nonsense', impossible: [{ index: 99 }] }, 10, 20)!.cases[0]!.roles).toEqual([]);
  });
});
