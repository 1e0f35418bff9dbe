// Pure parts of the etcd adapter: outcome classification of gateway replies, base64 prefix
// ranges, local application of txn micro-ops, version parsing and `--opt` parsing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { applyMicroOps } from '../kv-clients.ts';
import { b64, classify, prefixEnd, unb64 } from './gateway.ts';
import { ETCD_OPTIONS, etcdDbOptions } from './index.ts';
import { parseOwnOptions } from '../../options/parse.ts';
import { atLeast, parseEtcdVersion, versionMatches } from './install.ts';

describe('classify', () => {
  const err = (grpcCode: number | undefined, message: string, status = 503) => ({ kind: 'error' as const, status, grpcCode, message });

  it('passes ok replies through', () => {
    expect(classify({ kind: 'ok', body: { a: 1 } }, false)).toEqual({ type: 'ok', body: { a: 1 } });
  });

  it('a write that may have been sent and got no answer is info; never sent is fail', () => {
    expect(classify({ kind: 'transport', sent: true, code: 'timeout', message: 'x' }, false).type).toBe('info');
    expect(classify({ kind: 'transport', sent: true, code: 'ECONNRESET', message: 'x' }, false).type).toBe('info');
    expect(classify({ kind: 'transport', sent: false, code: 'ECONNREFUSED', message: 'x' }, false).type).toBe('fail');
  });

  it('definite gRPC rejections are fail, indefinite ones info', () => {
    expect(classify(err(3, 'bad json', 400), false).type).toBe('fail');
    expect(classify(err(5, 'etcdserver: requested lease not found', 404), false).type).toBe('fail');
    expect(classify(err(14, 'etcdserver: no leader'), false).type).toBe('fail');
    expect(classify(err(14, 'etcdserver: request timed out'), false).type).toBe('info');
    expect(classify(err(4, 'context deadline exceeded', 504), false).type).toBe('info');
    expect(classify(err(undefined, 'Not Found', 404), false).type).toBe('fail');
    expect(classify(err(undefined, 'bad gateway', 502), false).type).toBe('info');
  });

  it('every unknown outcome of a read-only call is fail', () => {
    expect(classify({ kind: 'transport', sent: true, code: 'timeout', message: 'x' }, true).type).toBe('fail');
    expect(classify(err(14, 'etcdserver: request timed out'), true).type).toBe('fail');
  });

  it('names the gRPC code in the error', () => {
    expect(classify(err(14, 'etcdserver: request timed out'), false)).toEqual({ type: 'info', error: 'grpc 14: etcdserver: request timed out' });
  });
});

describe('prefixEnd', () => {
  it('is the smallest key after every key with the prefix', () => {
    expect(unb64(prefixEnd('bank/'))).toBe('bank0');
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), (prefix, rest) => {
        const end = Buffer.from(prefixEnd(prefix), 'base64');
        const key = Buffer.from(prefix + rest, 'utf8');
        return Buffer.compare(key, end) < 0 && Buffer.compare(Buffer.from(prefix, 'utf8'), end) < 0;
      }),
    );
  });

  it('round-trips base64 text', () => {
    fc.assert(fc.property(fc.string(), (s) => unb64(b64(s)) === s));
  });
});

describe('applyMicroOps', () => {
  it('reads see earlier appends and writes of the same txn', () => {
    const read = new Map<number, unknown>([[1, [1, 2]], [2, null]]);
    const { done, writes } = applyMicroOps(
      [['r', 1, null], ['append', 1, 3], ['r', 1, null], ['append', 2, 1], ['r', 3, null]],
      read,
    );
    expect(done).toEqual([['r', 1, [1, 2]], ['append', 1, 3], ['r', 1, [1, 2, 3]], ['append', 2, 1], ['r', 3, null]]);
    expect([...writes]).toEqual([[1, [1, 2, 3]], [2, [1]]]);
    expect(read.get(1)).toEqual([1, 2]);
  });

  it('register writes replace the value; the last one is stored', () => {
    const { done, writes } = applyMicroOps([['w', 1, 5], ['r', 1, null], ['w', 1, 6]], new Map([[1, 4]]));
    expect(done).toEqual([['w', 1, 5], ['r', 1, 5], ['w', 1, 6]]);
    expect(writes.get(1)).toBe(6);
  });
});

describe('versions', () => {
  it('parses `etcd --version` output', () => {
    expect(parseEtcdVersion('etcd Version: 3.4.23\nGit SHA: Not provided\nGo Version: go1.19.8\n')).toBe('3.4.23');
    expect(parseEtcdVersion('something else')).toBeUndefined();
  });

  it('compares major.minor and matches dotted prefixes', () => {
    expect(atLeast('3.4.23', 3, 4)).toBe(true);
    expect(atLeast('3.5.0', 3, 4)).toBe(true);
    expect(atLeast('3.3.27', 3, 4)).toBe(false);
    expect(versionMatches('3.4.23', '3.4')).toBe(true);
    expect(versionMatches('3.4.23', '3.4.23')).toBe(true);
    expect(versionMatches('3.4.23', '3.4.2')).toBe(false);
    expect(versionMatches('3.40.1', '3.4')).toBe(false);
  });
});

describe('etcd options', () => {
  const parse = (options: Record<string, string>) => etcdDbOptions(parseOwnOptions(options, { part: 'db etcd', prefix: 'etcd', schema: ETCD_OPTIONS }), 1000);
  const defaults = { opTimeoutMs: 1000, serializableReads: false, preVote: false, leaseTtlS: 0, readyTimeoutMs: 20_000 };

  it('maps --opt values onto the adapter options, old spellings included', () => {
    expect(parse({ 'etcd.serializable-reads': 'true', 'etcd.lease-ttl': '10', 'etcd.snapshot-count': '500', 'etcd.ready-timeout': '2.5', 'etcd-client-port': '12379' })).toEqual({
      ...defaults,
      serializableReads: true,
      leaseTtlS: 10,
      snapshotCount: 500,
      readyTimeoutMs: 2500,
      clientPort: 12379,
    });
    expect(parse({})).toEqual(defaults);
  });

  it('rejects bad values with one line naming the option', () => {
    expect(() => parse({ 'etcd.serializable-reads': 'yes' })).toThrow(UsageError);
    expect(() => parse({ 'etcd.serializable-reads': 'yes' })).toThrow(/--opt etcd\.serializable-reads: expected true \| false/);
    expect(() => parse({ 'etcd.snapshot-count': '0' })).toThrow(/--opt etcd\.snapshot-count: expected an integer >= 1/);
    expect(() => parse({ 'etcd.peer-port': '70000' })).toThrow(/--opt etcd\.peer-port/);
    expect(() => parse({ 'etcd.client-port': '2380' })).toThrow(/must differ/);
    expect(() => parse({ 'etcd.ready-timeout': '' })).toThrow(/--opt etcd\.ready-timeout/);
    expect(() => parse({ 'etcd.serializable-read': 'true' })).toThrow(/Did you mean --opt etcd\.serializable-reads\?/);
  });
});
