// The key-value state machine: register and list semantics, CAS, all-or-nothing transactions,
// and replies that never alias live state.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KvState } from './kv-state.ts';
import type { MicroOp } from './protocol.ts';

describe('KvState', () => {
  it('reads null for absent keys and keeps 1 and "1" apart', () => {
    const kv = new KvState();
    expect(kv.apply({ f: 'read', key: 'a' })).toEqual({ ok: true, value: null });
    kv.apply({ f: 'write', key: 1, value: 'num' });
    kv.apply({ f: 'write', key: '1', value: 'str' });
    expect(kv.apply({ f: 'read', key: 1 })).toEqual({ ok: true, value: 'num' });
    expect(kv.apply({ f: 'read', key: '1' })).toEqual({ ok: true, value: 'str' });
  });

  it('compares and sets by JSON value', () => {
    const kv = new KvState();
    expect(kv.apply({ f: 'cas', key: 'r', from: null, to: { a: [1] } })).toEqual({ ok: true });
    expect(kv.apply({ f: 'cas', key: 'r', from: { a: [2] }, to: 3 })).toMatchObject({
      ok: false,
      error: { code: 'cas-mismatch', definite: true, value: { a: [1] } },
    });
    expect(kv.apply({ f: 'cas', key: 'r', from: { a: [1] }, to: 3 })).toEqual({ ok: true });
    expect(kv.get('r')).toBe(3);
  });

  it('runs transactions in order and returns what each read saw', () => {
    const kv = new KvState();
    const ops: MicroOp[] = [
      ['r', 'l', null],
      ['append', 'l', 1],
      ['r', 'l', null],
      ['append', 'l', 2],
      ['w', 'x', 9],
      ['r', 'x', null],
    ];
    expect(kv.apply({ f: 'txn', ops })).toEqual({
      ok: true,
      value: [
        ['r', 'l', null],
        ['append', 'l', 1],
        ['r', 'l', [1]],
        ['append', 'l', 2],
        ['w', 'x', 9],
        ['r', 'x', 9],
      ],
    });
  });

  it('rejects a transaction that appends to a register, leaving state untouched', () => {
    const kv = new KvState();
    kv.apply({ f: 'write', key: 'x', value: 5 });
    const reply = kv.apply({ f: 'txn', ops: [['w', 'y', 1], ['append', 'x', 2]] });
    expect(reply).toMatchObject({ ok: false, error: { code: 'type-mismatch', definite: true } });
    expect(kv.get('y')).toBeNull();
    expect(kv.apply({ f: 'txn', ops: [['w', 'x', [1]], ['append', 'x', 2]] })).toMatchObject({ ok: true });
    expect(kv.get('x')).toEqual([1, 2]);
  });

  it('never lets a reply alias a stored list', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 20 }), values => {
        const kv = new KvState();
        const reads: unknown[] = [];
        for (const v of values) {
          kv.apply({ f: 'txn', ops: [['append', 'l', v]] });
          reads.push(kv.apply({ f: 'read', key: 'l' }));
        }
        reads.forEach((r, i) => expect(r).toEqual({ ok: true, value: values.slice(0, i + 1) }));
      }),
    );
  });
});

describe('KvState snapshots', () => {
  it('restores exactly what was dumped, independent of later changes', () => {
    const kv = new KvState();
    kv.apply({ f: 'write', key: 1, value: 'a' });
    kv.apply({ f: 'txn', ops: [['append', 'l', 1]] });
    const dump = kv.dump();
    kv.apply({ f: 'txn', ops: [['append', 'l', 2], ['w', 'x', 3]] });
    const copy = new KvState();
    copy.restore(dump);
    expect(copy.get(1)).toBe('a');
    expect(copy.get('l')).toEqual([1]);
    expect(copy.get('x')).toBeNull();
    expect(kv.get('l')).toEqual([1, 2]);
  });
});
