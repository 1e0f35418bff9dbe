// The one option parser: typed values and defaults per part, a key feeding every part that
// declares it, deprecated spellings with a warning, and unknown keys or bad values refused with
// the valid keys and a did-you-mean.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UsageError } from '../core/errors.ts';
import { didYouMean, optionValues, parseOptions, parseValue, splitOptionFlags, type OptionOwner } from './parse.ts';
import { opt } from './schema.ts';

const etcd: OptionOwner = {
  part: 'db etcd',
  prefix: 'etcd',
  schema: {
    'serializable-reads': opt.boolean({ doc: 'stale reads', default: false, aliases: ['serializable-reads'] }),
    'lease-ttl': opt.integer({ doc: 'lease', default: 0, min: 0 }),
    binary: opt.string({ doc: 'path', aliases: ['etcd-binary'] }),
  },
};
const queueWorkload: OptionOwner = { part: 'workload queue', prefix: 'queue', schema: { delivery: opt.enum(['at-least-once', 'exactly-once'], { doc: 'd', default: 'at-least-once', aliases: ['delivery'] }) } };
const queueChecker: OptionOwner = { part: 'checker queue', prefix: 'queue', schema: { delivery: opt.enum(['at-least-once', 'exactly-once'], { doc: 'd', default: 'at-least-once', aliases: ['delivery'] }) } };

describe('parseOptions', () => {
  it('gives each part its typed values, defaults filled in, and records canonical keys', () => {
    const p = parseOptions({ 'etcd.serializable-reads': 'true', 'etcd.lease-ttl': '30' }, [etcd]);
    expect(p.valuesOf(etcd)).toEqual({ 'serializable-reads': true, 'lease-ttl': 30, binary: undefined });
    expect(p.canonical).toEqual({ 'etcd.serializable-reads': 'true', 'etcd.lease-ttl': '30' });
  });

  it('a key declared by two parts feeds both', () => {
    const p = parseOptions({ 'queue.delivery': 'exactly-once' }, [queueWorkload, queueChecker]);
    expect(p.valuesOf(queueWorkload)['delivery']).toBe('exactly-once');
    expect(p.valuesOf(queueChecker)['delivery']).toBe('exactly-once');
  });

  it('accepts an old spelling with a deprecation line and records the new one', () => {
    const warnings: string[] = [];
    const p = parseOptions({ 'serializable-reads': 'true', 'etcd-binary': '/opt/etcd' }, [etcd], (w) => warnings.push(w));
    expect(p.valuesOf(etcd)).toMatchObject({ 'serializable-reads': true, binary: '/opt/etcd' });
    expect(p.canonical).toEqual({ 'etcd.serializable-reads': 'true', 'etcd.binary': '/opt/etcd' });
    expect(warnings).toEqual(['--opt serializable-reads is deprecated; use --opt etcd.serializable-reads', '--opt etcd-binary is deprecated; use --opt etcd.binary']);
  });

  it('refuses a typo with a did-you-mean and the keys valid for this run', () => {
    const attempt = () => parseOptions({ 'etcd.serializable-read': 'true' }, [etcd]);
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(/unknown option --opt etcd\.serializable-read\. Did you mean --opt etcd\.serializable-reads\?/);
    expect(attempt).toThrow(/Valid keys for this run: etcd\.binary, etcd\.lease-ttl, etcd\.serializable-reads\./);
    expect(() => parseOptions({ 'serializable-read': 'true' }, [])).toThrow(/No part of this run takes options/);
  });

  it('refuses bad values naming the key and what it takes', () => {
    expect(() => parseOptions({ 'etcd.lease-ttl': '-1' }, [etcd])).toThrow(/--opt etcd\.lease-ttl: expected an integer >= 0, got "-1"/);
    expect(() => parseOptions({ 'etcd.serializable-reads': 'yes' }, [etcd])).toThrow(/expected true \| false/);
    expect(() => parseOptions({ 'queue.delivery': 'twice' }, [queueWorkload])).toThrow(/expected at-least-once \| exactly-once/);
  });

  it('refuses the same key twice with different values', () => {
    expect(() => parseOptions({ 'etcd.binary': '/a', 'etcd-binary': '/b' }, [etcd])).toThrow(/given twice/);
  });

  it('splits key=value flags and refuses a flag without =', () => {
    expect(splitOptionFlags(['a.b=1', 'c.d=x=y'])).toEqual({ 'a.b': '1', 'c.d': 'x=y' });
    expect(() => splitOptionFlags(['novalue'])).toThrow(/--opt expects key=value/);
  });
});

describe('parseValue', () => {
  it('integers within bounds parse exactly; anything else is refused', () => {
    const spec = opt.integer({ doc: 'x', min: -5, max: 100 });
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 100 }), (n) => parseValue('k', spec, String(n)) === n),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        const n = Number(text);
        const ok = text.trim() !== '' && Number.isInteger(n) && n >= -5 && n <= 100;
        try {
          return parseValue('k', spec, text) === n && ok;
        } catch (e) {
          return e instanceof UsageError && !ok;
        }
      }),
    );
  });

  it('lists keep their order and refuse items outside the allowed values', () => {
    const spec = opt.list({ doc: 'x', values: ['one', 'ring', 'halves'] });
    expect(parseValue('k', spec, 'ring, one')).toEqual(['ring', 'one']);
    expect(() => parseValue('k', spec, 'ring,square')).toThrow(/comma-separated of one, ring, halves/);
    expect(() => parseValue('k', spec, ' , ')).toThrow(UsageError);
  });

  it('string patterns must match the whole value', () => {
    const spec = opt.string({ doc: 'x', pattern: /\d+\.\d+\.\d+\.0\/24/, shape: 'A.B.C.0/24' });
    expect(parseValue('k', spec, '10.1.2.0/24')).toBe('10.1.2.0/24');
    expect(() => parseValue('k', spec, 'x10.1.2.0/24')).toThrow(/expected A\.B\.C\.0\/24/);
  });
});

describe('optionValues (options given in code)', () => {
  it('fills defaults, takes typed values or text, and refuses unknown names', () => {
    expect(optionValues('db etcd', etcd.schema, { 'lease-ttl': 5 })).toEqual({ 'serializable-reads': false, 'lease-ttl': 5, binary: undefined });
    expect(optionValues('db etcd', etcd.schema, { 'serializable-reads': 'true' })['serializable-reads']).toBe(true);
    expect(() => optionValues('db etcd', etcd.schema, { 'lease-tll': 5 } as Record<string, unknown>)).toThrow(/unknown option "lease-tll" \(did you mean lease-ttl\?\)/);
    expect(() => optionValues('db etcd', etcd.schema, { 'lease-ttl': -2 })).toThrow(/expected an integer >= 0/);
  });
});

describe('didYouMean', () => {
  it('finds near keys and keys with the same name under another prefix', () => {
    expect(didYouMean('etcd.serializable-read', ['etcd.serializable-reads', 'etcd.binary'])).toEqual(['etcd.serializable-reads']);
    expect(didYouMean('raft.election-ms', ['lf.mode', 'raft.election-ms2', 'quorum.r'])).toEqual(['raft.election-ms2']);
    expect(didYouMean('completely-different', ['etcd.binary'])).toEqual([]);
  });
});
