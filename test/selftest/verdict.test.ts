// The self-test's verdict comparison: validity, the wanted anomaly kinds, and forbidden ones
// (exact names and prefixes).
import { describe, expect, it } from 'vitest';
import { CASES } from './cases.ts';
import { judge } from './verdict.ts';

describe('judge', () => {
  it('passes a valid run that should be valid and fails an unknown one', () => {
    expect(judge({ valid: true }, { valid: true, anomalyTypes: [] }).pass).toBe(true);
    expect(judge({ valid: true }, { valid: 'unknown', anomalyTypes: [] })).toMatchObject({ pass: false });
    expect(judge({ valid: true }, { valid: false, anomalyTypes: ['nonlinearizable'] }).reason).toContain('nonlinearizable');
  });

  it('needs one of the wanted anomaly kinds when invalid', () => {
    const e = { valid: false, anyOf: ['G-single', 'G1c'] };
    expect(judge(e, { valid: false, anomalyTypes: ['G2-item', 'G-single'] }).pass).toBe(true);
    expect(judge(e, { valid: false, anomalyTypes: ['G2-item'] })).toMatchObject({ pass: false });
    expect(judge(e, { valid: true, anomalyTypes: [] })).toMatchObject({ pass: false });
  });

  it('fails on forbidden kinds, by name or prefix, even when the rest matches', () => {
    const e = { valid: false, anyOf: ['G2-item'], forbidden: ['G1*', 'lost-update'] };
    expect(judge(e, { valid: false, anomalyTypes: ['G2-item'] }).pass).toBe(true);
    expect(judge(e, { valid: false, anomalyTypes: ['G2-item', 'G1c-realtime'] })).toMatchObject({ pass: false });
    expect(judge(e, { valid: false, anomalyTypes: ['G2-item', 'lost-update'] })).toMatchObject({ pass: false });
    expect(judge(e, { valid: false, anomalyTypes: ['G2-item', 'lost-updates'] }).pass).toBe(true);
  });

  it('the case table has unique ids, and every invalid case names what it must find', () => {
    expect(new Set(CASES.map(c => c.id)).size).toBe(CASES.length);
    for (const c of CASES) if (!c.expect.valid) expect(c.expect.anyOf?.length).toBeGreaterThan(0);
    expect(CASES.some(c => c.short && c.expect.valid)).toBe(true);
  });
});
