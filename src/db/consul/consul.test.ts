// Pure parts of the Consul adapter: outcome classification of HTTP answers and fetch failures,
// query strings, txn op encoding (plain, check-and-set, session locks) and KV entry decoding,
// the session-create body, rolled-back txn errors, planning a txn's writes, the zip reader (on
// archives made by Info-ZIP's `zip`), where the binary comes from and the doctor's check of it,
// version parsing, staging a binary or release zip on the controller, and `--opt` parsing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { unstage } from '../fetch-release.ts';
import { planTxn } from './clients.ts';
import { classify, requestPath, transportFailure } from './http.ts';
import { CONSUL_OPTIONS, consulDbOptions } from './index.ts';
import { parseOwnOptions } from '../../options/parse.ts';
import { CONSUL_ENV, consulCheck, consulSource, parseConsulVersion, stageConsul } from './install.ts';
import { decodeEntry, encodeTxnOp, modeQuery, txnErrors, writeOps } from './kv.ts';
import { sessionSpec } from './session.ts';
import { isZip, zipEntry, zipNames } from './zip.ts';

const work = mkdtempSync(path.join(tmpdir(), 'faultline-consul-unit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const HAS_ZIP = (() => {
  try {
    execFileSync('zip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A zip made by Info-ZIP holding the given files (level 0 stores, 9 deflates). */
function makeZip(name: string, files: Record<string, string | Buffer>, level: 0 | 9): string {
  const dir = mkdtempSync(path.join(work, 'zip-'));
  for (const [f, content] of Object.entries(files)) writeFileSync(path.join(dir, f), content);
  const out = path.join(work, name);
  execFileSync('zip', ['-q', `-${level}`, out, ...Object.keys(files)], { cwd: dir });
  return out;
}

describe('classify', () => {
  const res = (status: number, body = '') => ({ kind: 'response' as const, status, body });

  it('2xx is ok', () => {
    expect(classify(res(200, 'true'), false)).toEqual({ type: 'ok', status: 200, body: 'true' });
  });

  it('4xx and "No cluster leader" are definite refusals', () => {
    expect(classify(res(400, 'Request decode failed'), false)).toEqual({ type: 'fail', error: 'http 400: Request decode failed' });
    expect(classify(res(403, 'Permission denied'), false).type).toBe('fail');
    expect(classify(res(413, 'too large'), false).type).toBe('fail');
    expect(classify(res(500, 'No cluster leader'), false).type).toBe('fail');
  });

  it('other 5xx of a write are unknown; of a read, fail', () => {
    expect(classify(res(500, 'leadership lost while committing log'), false)).toEqual({ type: 'info', error: 'http 500: leadership lost while committing log' });
    expect(classify(res(500, 'rpc error making call: EOF'), false).type).toBe('info');
    expect(classify(res(500, 'leadership lost while committing log'), true).type).toBe('fail');
  });

  it('a write that may have been sent and got no answer is info; never sent, or a read, is fail', () => {
    expect(classify({ kind: 'transport', sent: true, code: 'timeout', message: 'x' }, false).type).toBe('info');
    expect(classify({ kind: 'transport', sent: false, code: 'ECONNREFUSED', message: 'x' }, false)).toEqual({ type: 'fail', error: 'ECONNREFUSED: x' });
    expect(classify({ kind: 'transport', sent: true, code: 'ECONNRESET', message: 'x' }, true).type).toBe('fail');
  });
});

describe('transportFailure', () => {
  const fetchError = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`connect ${code}`), { code }) });

  it('a connection never made was not sent; a reset one may have been', () => {
    expect(transportFailure(fetchError('ECONNREFUSED'), { timedOut: false, aborted: false })).toMatchObject({ sent: false, code: 'ECONNREFUSED' });
    expect(transportFailure(fetchError('UND_ERR_CONNECT_TIMEOUT'), { timedOut: false, aborted: false }).sent).toBe(false);
    expect(transportFailure(fetchError('ECONNRESET'), { timedOut: false, aborted: false })).toMatchObject({ sent: true, code: 'ECONNRESET' });
    expect(transportFailure(fetchError('UND_ERR_SOCKET'), { timedOut: false, aborted: false }).sent).toBe(true);
  });

  it('a timeout or an abort may have been sent', () => {
    expect(transportFailure(new DOMException('t', 'TimeoutError'), { timedOut: true, aborted: false })).toMatchObject({ sent: true, code: 'timeout' });
    expect(transportFailure(new Error('stop'), { timedOut: false, aborted: true })).toMatchObject({ sent: true, code: 'aborted' });
  });
});

describe('requests and replies', () => {
  it('builds query strings with bare flags', () => {
    expect(requestPath('/v1/kv/a', { ...modeQuery('stale'), recurse: true })).toBe('/v1/kv/a?stale&recurse');
    expect(requestPath('/v1/kv/a', { cas: 0 })).toBe('/v1/kv/a?cas=0');
    expect(requestPath('/v1/kv/a', modeQuery('default'))).toBe('/v1/kv/a');
    expect(modeQuery('consistent')).toEqual({ consistent: true });
  });

  it('encodes txn ops with base64 JSON values and indexes only where the verb takes them', () => {
    expect(encodeTxnOp({ verb: 'cas', key: 'bank/1', value: 7, index: 42 })).toEqual({ KV: { Verb: 'cas', Key: 'bank/1', Value: Buffer.from('7').toString('base64'), Index: 42 } });
    expect(encodeTxnOp({ verb: 'set', key: 'la/1', value: [1, 2] })).toEqual({ KV: { Verb: 'set', Key: 'la/1', Value: Buffer.from('[1,2]').toString('base64') } });
    expect(encodeTxnOp({ verb: 'check-not-exists', key: 'la/2' })).toEqual({ KV: { Verb: 'check-not-exists', Key: 'la/2' } });
    expect(encodeTxnOp({ verb: 'check-index', key: 'la/2', index: 9 })).toEqual({ KV: { Verb: 'check-index', Key: 'la/2', Index: 9 } });
    expect(encodeTxnOp({ verb: 'lock', key: 'r', value: 1, session: 's-1' })).toEqual({ KV: { Verb: 'lock', Key: 'r', Value: Buffer.from('1').toString('base64'), Session: 's-1' } });
  });

  it('writes a key plainly, by check-and-set, or through a session lock', () => {
    expect(writeOps('k', 1, {})).toEqual([{ verb: 'set', key: 'k', value: 1 }]);
    expect(writeOps('k', 1, { index: 0 })).toEqual([{ verb: 'cas', key: 'k', value: 1, index: 0 }]);
    expect(writeOps('k', 1, { session: 's' })).toEqual([{ verb: 'lock', key: 'k', value: 1, session: 's' }]);
    expect(writeOps('k', 1, { index: 0, session: 's' })).toEqual([{ verb: 'check-not-exists', key: 'k' }, { verb: 'lock', key: 'k', value: 1, session: 's' }]);
    expect(writeOps('k', 1, { index: 7, session: 's' })).toEqual([{ verb: 'check-index', key: 'k', index: 7 }, { verb: 'lock', key: 'k', value: 1, session: 's' }]);
  });

  it('asks for a TTL-only session whose keys are deleted when it lapses', () => {
    expect(sessionSpec(15)).toEqual({ Name: 'faultline', TTL: '15s', Behavior: 'delete', LockDelay: '0s', Checks: [], NodeChecks: [] });
  });

  it('decodes KV entries; an empty value is null; anything else throws', () => {
    expect(decodeEntry({ Key: 'register', Value: Buffer.from('{"a":1}').toString('base64'), ModifyIndex: 12, CreateIndex: 3, Flags: 0 })).toEqual({ key: 'register', value: { a: 1 }, modifyIndex: 12 });
    expect(decodeEntry({ Key: 'la/1', Value: null, ModifyIndex: 5 })).toEqual({ key: 'la/1', value: null, modifyIndex: 5 });
    expect(() => decodeEntry({ Key: 'x' })).toThrow(/not a Consul KV entry/);
  });

  it("reads a rolled-back txn's errors", () => {
    expect(txnErrors('{"Results":null,"Errors":[{"OpIndex":1,"What":"failed to set key \\"la/1\\", index is stale"}]}')).toEqual(['op 1: failed to set key "la/1", index is stale']);
    expect(txnErrors('not json')).toEqual(['not json']);
  });
});

describe('planTxn', () => {
  const entry = (key: string, value: unknown, modifyIndex: number) => ({ key, value, modifyIndex });

  it('reads exact keys only, checks every key read, and sets every key written', () => {
    const found = [entry('la/1', [1], 10), entry('la/10', [9, 9], 11), entry('la/12', [5], 12)];
    expect(planTxn([['r', 1, null], ['append', 1, 2], ['append', 2, 1], ['r', 2, null]], found, 'la/', [])).toEqual({
      done: [['r', 1, [1]], ['append', 1, 2], ['append', 2, 1], ['r', 2, [1]]],
      write: [
        { verb: 'check-index', key: 'la/1', index: 10 },
        { verb: 'check-not-exists', key: 'la/2' },
        { verb: 'set', key: 'la/1', value: [1, 2] },
        { verb: 'set', key: 'la/2', value: [1] },
      ],
    });
  });

  it('with a session, written keys are locked instead of set', () => {
    expect(planTxn([['w', 1, 5]], [entry('rw/1', 4, 8)], 'rw/', null, 'sess').write).toEqual([
      { verb: 'check-index', key: 'rw/1', index: 8 },
      { verb: 'lock', key: 'rw/1', value: 5, session: 'sess' },
    ]);
  });

  it('a read-only txn writes nothing; a key never written reads as the empty value', () => {
    expect(planTxn([['r', 3, null], ['r', 4, null]], [entry('rw/4', 7, 3)], 'rw/', null)).toEqual({ done: [['r', 3, null], ['r', 4, 7]], write: [] });
  });
});

describe.skipIf(!HAS_ZIP)(`zip reader (${HAS_ZIP ? 'zip present' : 'no zip command: apt-get install zip'})`, () => {
  it('reads stored and deflated entries', () => {
    const big = Buffer.from('consul '.repeat(5000));
    const deflated = makeZip('deflated.zip', { consul: big, 'LICENSE.txt': 'MPL' }, 9);
    const stored = makeZip('stored.zip', { consul: 'tiny' }, 0);
    const d = readFileSync(deflated);
    expect(isZip(d)).toBe(true);
    expect(zipNames(d).sort()).toEqual(['LICENSE.txt', 'consul']);
    expect(zipEntry(d, 'consul')?.equals(big)).toBe(true);
    expect(zipEntry(readFileSync(stored), 'consul')?.toString()).toBe('tiny');
    expect(zipEntry(d, 'nomad')).toBeUndefined();
  });

  it('refuses what is not a zip', () => {
    expect(isZip(Buffer.from('\x7fELF'))).toBe(false);
    expect(() => zipEntry(Buffer.alloc(100), 'consul')).toThrow(/no zip end-of-central-directory/);
  });

  it('stages the consul binary out of a release zip, and refuses other files', async () => {
    const zip = makeZip('consul_1.0.0_linux_amd64.zip', { consul: Buffer.from('\x7fELF fake consul') }, 9);
    const staged = await stageConsul(zip, { installDir: '/opt/x', idleMs: 1000 });
    try {
      expect(readFileSync(staged.file.path, 'latin1')).toBe('\x7fELF fake consul');
      expect(statSync(staged.file.path).mode & 0o777).toBe(0o755);
      expect(staged.dir).toBe(`/opt/x/consul-${staged.file.sha256.slice(0, 12)}`);
    } finally {
      await unstage(staged.file);
    }
    expect(() => statSync(staged.file.path)).toThrow();
    const other = makeZip('nomad.zip', { nomad: 'x' }, 0);
    await expect(stageConsul(other, { installDir: '/opt/x', idleMs: 1000 })).rejects.toThrow(`--opt consul.binary: ${other} is a zip without a consul binary (it holds nomad)`);
    const text = path.join(work, 'consul.txt');
    writeFileSync(text, 'not a binary');
    await expect(stageConsul(text, { installDir: '/opt/x', idleMs: 1000 })).rejects.toThrow(`--opt consul.binary: ${text} is neither a Consul binary (ELF) nor a Consul release zip`);
    await expect(stageConsul(undefined, { installDir: '/opt/x', idleMs: 1000 })).rejects.toThrow(/^no consul binary found; put consul on PATH .*FAULTLINE_CONSUL=/);
  });
});

describe('where consul comes from', () => {
  it('the option, else $FAULTLINE_CONSUL, else consul on PATH', () => {
    const bin = mkdtempSync(path.join(work, 'bin-'));
    writeFileSync(path.join(bin, 'consul'), '#!/bin/sh\n', { mode: 0o755 });
    expect(consulSource('/opt/consul', { [CONSUL_ENV]: '/env/consul', PATH: bin })).toBe('/opt/consul');
    expect(consulSource(undefined, { [CONSUL_ENV]: 'https://example.invalid/consul.zip', PATH: bin })).toBe('https://example.invalid/consul.zip');
    expect(consulSource(undefined, { PATH: `/nonexistent:${bin}` })).toBe(path.join(bin, 'consul'));
    expect(consulSource(undefined, { [CONSUL_ENV]: '', PATH: '/nonexistent' })).toBeUndefined();
  });

  it('the doctor check runs the binary it finds and says how to get one when there is none', async () => {
    const bin = mkdtempSync(path.join(work, 'bin-'));
    writeFileSync(path.join(bin, 'consul'), '#!/bin/sh\necho Consul v1.2.3\necho Revision abc\n', { mode: 0o755 });
    expect(await consulCheck({ PATH: bin })).toEqual({ name: 'consul', ok: true, detail: `Consul v1.2.3 (${bin}/consul)` });
    writeFileSync(path.join(bin, 'consul'), '#!/bin/sh\necho nomad\n', { mode: 0o755 });
    expect(await consulCheck({ PATH: bin })).toMatchObject({ ok: false, detail: `${bin}/consul did not print a Consul version (exit 0)` });
    expect(await consulCheck({ PATH: '/nonexistent' })).toMatchObject({ ok: false, fix: expect.stringContaining(`${CONSUL_ENV}=`) });
  });

  it('parses `consul version`', () => {
    expect(parseConsulVersion('Consul v1.16.2\nRevision 4e3e8d7f\nBuild Date 2023-09-19T17:25:29Z\n')).toBe('1.16.2');
    expect(parseConsulVersion('Consul v1.20.0-rc1\n')).toBe('1.20.0-rc1');
    expect(parseConsulVersion('etcd Version: 3.4.23')).toBeUndefined();
  });
});

describe('consul options', () => {
  const parse = (options: Record<string, string>) => consulDbOptions(parseOwnOptions(options, { part: 'db consul', prefix: 'consul', schema: CONSUL_OPTIONS }), 1000);
  const defaults = { opTimeoutMs: 1000, readMode: 'default', raftMultiplier: 1, sessionTtlS: 0, readyTimeoutMs: 30_000 };

  it('reads every option', () => {
    expect(parse({})).toEqual(defaults);
    expect(parse({ 'consul.read-mode': 'stale', 'consul.binary': '/x/consul', 'consul.install-dir': '/opt/c', 'consul.http-port': '8600', 'consul.raft-multiplier': '2', 'consul.ready-timeout': '5', 'consul.session-ttl': '15' })).toEqual({
      opTimeoutMs: 1000, readMode: 'stale', binary: '/x/consul', installDir: '/opt/c', httpPort: 8600, raftMultiplier: 2, readyTimeoutMs: 5000, sessionTtlS: 15,
    });
  });

  it('refuses bad values with one line naming the option', () => {
    expect(() => parse({ 'consul.read-mode': 'linearizable' })).toThrow(new UsageError('--opt consul.read-mode: expected default | consistent | stale, got "linearizable"'));
    expect(() => parse({ 'consul.http-port': '8300' })).toThrow(/^--opt consul.http-port: 8300 is one of Consul's server and gossip ports/);
    expect(() => parse({ 'consul.raft-multiplier': '0' })).toThrow(UsageError);
    expect(() => parse({ 'consul.install-dir': 'rel' })).toThrow(UsageError);
    expect(() => parse({ 'consul.session-ttl': '5' })).toThrow(/^--opt consul.session-ttl: Consul's session TTLs run from 10 to 86400 s/);
  });
});
