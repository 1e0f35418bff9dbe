// Fault coverage over a hand-made history: windows per kind and target (read from what each
// start really hit), their total time, and the client ops whose spans overlap them, by outcome.
import { describe, expect, it } from 'vitest';
import type { Op, OpType, ProcessId } from '../src/core/op.ts';

type Event = { time: number; process: ProcessId; type: OpType; f: string; value: unknown; error?: unknown };
import { faultCoverage, targetOf } from './coverage.ts';

const S = 1e9;
function h(ops: Event[]): Op[] {
  return ops.map((o, index): Op => ({ ...o, index }));
}

describe('faultCoverage', () => {
  const history = h([
    { time: 0, process: 0, type: 'invoke', f: 'write', value: 1 },
    { time: 0.5 * S, process: 0, type: 'ok', f: 'write', value: 1 },
    { time: 1 * S, process: 'nemesis', type: 'invoke', f: 'start-kill', value: { targets: 'one' } },
    { time: 1 * S, process: 'nemesis', type: 'ok', f: 'start-kill', value: { nodes: ['n2'] } },
    { time: 1.5 * S, process: 1, type: 'invoke', f: 'read', value: null },
    { time: 2 * S, process: 1, type: 'info', f: 'read', value: null },
    { time: 3 * S, process: 'nemesis', type: 'invoke', f: 'stop-kill', value: null },
    { time: 3 * S, process: 'nemesis', type: 'ok', f: 'stop-kill', value: { nodes: ['n2'] } },
    { time: 4 * S, process: 'nemesis', type: 'invoke', f: 'start-kill', value: { targets: 'one' } },
    { time: 4 * S, process: 'nemesis', type: 'ok', f: 'start-kill', value: { nodes: ['n2'] } },
    { time: 4.5 * S, process: 2, type: 'invoke', f: 'read', value: null },
    { time: 5 * S, process: 'nemesis', type: 'invoke', f: 'stop-kill', value: null },
    { time: 5 * S, process: 'nemesis', type: 'ok', f: 'stop-kill', value: { nodes: ['n2'] } },
    { time: 6 * S, process: 'nemesis', type: 'invoke', f: 'start-partition', value: { shape: 'one' } },
    { time: 6 * S, process: 'nemesis', type: 'ok', f: 'start-partition', value: { grudge: { n3: ['n1', 'n2'], n1: ['n3'], n2: ['n3'] } } },
    { time: 8 * S, process: 3, type: 'invoke', f: 'write', value: 2 },
    { time: 8.5 * S, process: 3, type: 'fail', f: 'write', value: 2 },
  ]);

  it('counts windows, active time and overlapping ops per kind and target', () => {
    const c = faultCoverage(history);
    expect(c.rows).toEqual([
      { kind: 'kill', target: 'n2', windows: 2, activeS: 3, overlappingOps: 2, byType: { ok: 0, fail: 0, info: 1, incomplete: 1 } },
      { kind: 'partition', target: 'n1,n2,n3', windows: 1, activeS: 2.5, overlappingOps: 2, byType: { ok: 0, fail: 1, info: 0, incomplete: 1 } },
    ]);
    expect(c.kinds).toEqual({ kill: { windows: 2, activeS: 3, overlappingOps: 2 }, partition: { windows: 1, activeS: 2.5, overlappingOps: 2 } });
  });

  it('describes targets from nodes, grudges and links', () => {
    expect(targetOf({ nodes: ['n3', 'n1'] })).toBe('n1,n3');
    expect(targetOf({ grudge: { n1: ['n2'] } })).toBe('n1');
    expect(targetOf({ links: [{ from: 'n2', to: 'n1' }] })).toBe('n1,n2');
    expect(targetOf('healed')).toBe('(unknown)');
  });
});
