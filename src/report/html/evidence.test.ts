// Reading checker evidence: real results of the list-append and linearizability checkers, the
// Knossos and set-checker shapes, and arbitrary JSON (never throws, never invents op indexes).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../core/validity.ts';
import { listAppend } from '../../../checkers/elle/index.ts';
import { linearizable } from '../../../checkers/linearizable/index.ts';
import { g1cHistory, registerHistory } from '../../../test/report/fixtures.ts';
import { collectOpIndexes, readEvidence } from './evidence.ts';

describe('readEvidence', () => {
  it('reads a G1c cycle from the list-append checker: transactions, labelled steps, counts and models', async () => {
    const history = g1cHistory();
    const r = await listAppend({ consistencyModels: ['serializable'] }).check(history, {});
    const ev = readEvidence('list-append', r, history.length);
    expect(ev.valid).toBe(false);
    expect(ev.counts).toEqual({ G1c: 1 });
    expect(ev.not).toEqual(r['not']);
    expect(ev.alsoNot).toEqual(r['alsoNot']);
    expect(ev.possible).toEqual(r['possible']);
    const c = ev.cases[0]!;
    expect(c.type).toBe('G1c');
    const cycleOps = (((r.anomalies as Record<string, unknown[]>)['G1c']![0] as Record<string, unknown>)['cycle'] as Array<{ index: number }>).map((o) => o.index);
    expect(c.cycle!.txns).toEqual(cycleOps.slice(0, -1));
    expect(c.cycle!.steps.map((s) => s.type).sort()).toEqual(['wr', 'ww']);
    expect(c.cycle!.steps.every((s) => s.text !== undefined && s.text.length > 0)).toBe(true);
    expect(c.explanation.join('\n')).toContain('a contradiction');
    expect(c.ops).toEqual(expect.arrayContaining(cycleOps));
  });

  it('reads a linearizability counterexample: failing op, reason and the ops around it', async () => {
    const history = registerHistory({ ops: 400, concurrency: 4, seed: 3, staleRead: true });
    const r = await linearizable({ model: 'register', threads: 0 }).check(history, {});
    expect(r.valid).toBe(false);
    const ce = r['counterexample'] as { op: { index: number }; reason: string };
    const ev = readEvidence('linearizable', r, history.length);
    expect(ev.counts).toEqual({ nonlinearizable: 1 });
    const c = ev.cases[0]!;
    expect(c.type).toBe('nonlinearizable');
    expect(c.explanation).toEqual([ce.reason]);
    expect(c.linear!.failing).toBe(ce.op.index);
    expect(c.ops).toContain(ce.op.index);
    expect(c.ops.every((i) => i < history.length)).toBe(true);
  });

  it('reads Knossos-style final paths with the message of the step that cannot be taken', () => {
    const r: CheckResult = {
      valid: false,
      op: { index: 7, process: 2, type: 'ok', f: 'read', value: 3 },
      'previous-ok': { index: 5, process: 1, type: 'ok', f: 'write', value: 4 },
      'final-paths': [
        [
          { op: { index: 5, process: 1, type: 'ok', f: 'write', value: 4 }, model: { value: 4 } },
          { op: { index: 7, process: 2, type: 'ok', f: 'read', value: 3 }, model: { msg: "can't read 3 from register 4" } },
        ],
      ],
    };
    const ev = readEvidence('linear', r, 10);
    const c = ev.cases[0]!;
    expect(c.linear!.failing).toBe(7);
    expect(c.linear!.previousOk).toBe(5);
    expect(c.linear!.paths).toEqual([{ ops: [5, 7], states: ['{"value":4}', '{"msg":"can\'t read 3 from register 4"}'], illegal: "can't read 3 from register 4" }]);
  });

  it('reads per-type lists and <type>Count totals, as the set checker reports them', () => {
    const r: CheckResult = {
      valid: false,
      anomalyTypes: ['lost'],
      lostCount: 7,
      lost: [{ element: '3', addIndex: 10, lastSeenIndex: 20, missedFromIndex: 30 }],
    };
    const ev = readEvidence('set', r, 100);
    expect(ev.counts).toEqual({ lost: 7 });
    expect(ev.cases).toHaveLength(1);
    expect(ev.cases[0]!.ops).toEqual([10, 20, 30]);
    expect(ev.cases[0]!.facts).toContainEqual(['element', '3']);
  });

  it('does not take micro-op positions or out-of-range numbers for op indexes', () => {
    expect(collectOpIndexes({ steps: [{ type: 'ww', 'a-mop-index': 1, 'b-mop-index': 0 }], index: 4, otherIndex: 99 }, 50)).toEqual([4]);
  });

  it('never throws on arbitrary evidence and only returns op indexes inside the history', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(true, false, 'unknown' as const), fc.nat(50), (evidence, valid, n) => {
        const r = { valid, ...(evidence !== null && typeof evidence === 'object' && !Array.isArray(evidence) ? evidence : { anomalies: evidence }) } as CheckResult;
        const ev = readEvidence('x', r, n);
        for (const c of ev.cases) for (const i of c.ops) if (!(Number.isInteger(i) && i >= 0 && i < n)) return false;
        return true;
      }),
      { numRuns: 500 },
    );
  });
});
