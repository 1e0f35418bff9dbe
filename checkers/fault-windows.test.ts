// Tests for fault-window derivation from nemesis ops.
import { describe, expect, it } from 'vitest';
import { HistoryBuilder } from '../src/inprocess/history-builder.ts';
import { faultWindows } from './fault-windows.ts';

describe('faultWindows', () => {
  it('opens at the start completion and closes at the stop completion', () => {
    const b = new HistoryBuilder().op(0, 'read', null).nemesis('start-partition', { n1: ['n2'] });
    b.op(0, 'read', null).nemesis('stop-partition');
    const h = b.build();
    const [w, ...rest] = faultWindows(h);
    expect(rest).toEqual([]);
    expect(w).toMatchObject({ kind: 'partition', startIndex: 3, endIndex: 7, value: { n1: ['n2'] } });
    expect(w!.start).toBe(h[3]!.time);
    expect(w!.end).toBe(h[7]!.time);
  });

  it('runs an unstopped window to the end of the history and ignores failed starts', () => {
    const h = new HistoryBuilder().nemesis('start-kill', 'n1', 'fail').nemesis('start-pause', 'n2').op(1, 'read', null).build();
    const ws = faultWindows(h);
    expect(ws.map((w) => w.kind)).toEqual(['pause']);
    expect(ws[0]!.endIndex).toBeNull();
    expect(ws[0]!.end).toBe(h[h.length - 1]!.time);
  });

  it('keeps one window when a kind is started twice, and a failed stop leaves it open', () => {
    const h = new HistoryBuilder()
      .nemesis('start-clock')
      .nemesis('start-clock')
      .nemesis('stop-clock', null, 'fail')
      .nemesis('stop-clock')
      .build();
    const ws = faultWindows(h);
    expect(ws).toHaveLength(1);
    expect(ws[0]).toMatchObject({ startIndex: 1, endIndex: 7 });
  });

  it('uses the given styles instead of the naming convention', () => {
    const h = new HistoryBuilder().nemesis('kill').nemesis('start-partition').nemesis('restart').build();
    const ws = faultWindows(h, [{ name: 'crash', color: '#f00', start: ['kill'], stop: ['restart'] }]);
    expect(ws).toEqual([expect.objectContaining({ kind: 'crash', color: '#f00', startIndex: 1, endIndex: 5 })]);
  });
});
