// Store options from --opt become node program flags; unknown keys and bad values are usage errors.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { STORES } from '../../stores/registry.ts';
import { REFERENCE_DBS, storeArgs } from './entries.ts';

const QUORUM = { prefix: 'quorum', options: { n: { flag: '--n' }, r: { flag: '--r' } } };

describe('reference store entries', () => {
  it('turns prefixed options into flags and leaves other options alone', () => {
    expect(storeArgs(QUORUM, { 'quorum.n': '3', 'quorum.r': '1', 'key-count': '5' })).toEqual(['--n', '3', '--r', '1']);
    expect(storeArgs(undefined, { 'quorum.n': '3' })).toEqual([]);
  });

  it('names the bad key or value', () => {
    expect(() => storeArgs(QUORUM, { 'quorum.x': '1' })).toThrow(/--opt quorum.x: unknown option \(known: quorum.n, quorum.r\)/);
    expect(() => storeArgs(QUORUM, { 'quorum.n': '0' })).toThrow(UsageError);
    const modes = { prefix: 'lf', options: { mode: { flag: '--mode', values: ['async', 'sync'] } } };
    expect(() => storeArgs(modes, { 'lf.mode': 'semi' })).toThrow(/expected async \| sync/);
  });

  it('has an entry for every bundled store, each saying what to expect', () => {
    expect(Object.keys(REFERENCE_DBS).sort()).toEqual(Object.keys(STORES).map(s => `reference:${s}`).sort());
    for (const e of Object.values(REFERENCE_DBS)) expect(e.expect.length).toBeGreaterThan(0);
  });
});
