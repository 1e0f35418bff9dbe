// known_hosts handling: plain and hashed patterns, [host]:port names, @revoked, and the three
// policies (strict refuses unknown and changed keys, accept-new records unknown ones, off skips).
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobKeyType, keysFor, knownHostName, verifyHostKey } from './known-hosts.ts';

function blob(type: string, body = randomBytes(32)): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, body]);
}

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('known_hosts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'faultline-kh-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names non-22 ports in brackets', () => {
    expect(knownHostName('h', 22)).toBe('h');
    expect(knownHostName('h', 2222)).toBe('[h]:2222');
  });

  it('finds plain, listed and hashed entries, and reads the key type from the blob', () => {
    const k = blob('ssh-ed25519');
    const text = [`# comment`, `a,b ssh-ed25519 ${k.toString('base64')}`, `${hashed('[c]:2222')} ssh-rsa AAAA`, '@cert-authority * ssh-rsa BBBB'].join('\n');
    expect(keysFor(text, 'b')).toEqual([{ keyType: 'ssh-ed25519', key: k.toString('base64'), revoked: false }]);
    expect(keysFor(text, '[c]:2222').map((x) => x.keyType)).toEqual(['ssh-rsa']);
    expect(keysFor(text, 'c')).toEqual([]);
    expect(blobKeyType(k)).toBe('ssh-ed25519');
  });

  it('strict refuses unknown hosts and changed keys; accept-new records; @revoked always refused', async () => {
    const file = path.join(dir, 'kh');
    const k1 = blob('ssh-ed25519');
    const k2 = blob('ssh-ed25519');
    expect(await verifyHostKey(file, '10.0.0.1', 22, k1, 'strict')).toMatchObject({ ok: false, reason: expect.stringMatching(/is not in/) });
    expect(await verifyHostKey(file, '10.0.0.1', 22, k1, 'accept-new')).toEqual({ ok: true, added: true });
    expect(await readFile(file, 'utf8')).toBe(`10.0.0.1 ssh-ed25519 ${k1.toString('base64')}\n`);
    expect(await verifyHostKey(file, '10.0.0.1', 22, k1, 'strict')).toEqual({ ok: true, added: false });
    expect(await verifyHostKey(file, '10.0.0.1', 22, k2, 'accept-new')).toMatchObject({ ok: false, reason: expect.stringMatching(/HOST KEY CHANGED/) });
    expect(await verifyHostKey(file, '10.0.0.1', 2222, k2, 'strict')).toMatchObject({ ok: false });
    await writeFile(file, `@revoked 10.0.0.1 ssh-ed25519 ${k1.toString('base64')}\n`);
    expect(await verifyHostKey(file, '10.0.0.1', 22, k1, 'accept-new')).toMatchObject({ ok: false, reason: expect.stringMatching(/revoked/) });
    expect(await verifyHostKey(file, '10.0.0.1', 22, k1, 'off')).toEqual({ ok: true, added: false });
  });
});
