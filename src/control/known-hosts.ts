/**
 * OpenSSH known_hosts checking for the ssh Remote: plain and hashed (|1|salt|hmac) host
 * patterns, `[host]:port` for non-22 ports, @revoked markers. Policies: "strict" (default:
 * unknown or changed keys are refused), "accept-new" (unknown keys are appended, changed ones
 * refused), "off" (no check; for throwaway test hosts only).
 */
import { createHmac } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

export type HostKeyPolicy = 'strict' | 'accept-new' | 'off';

export interface KnownKey {
  keyType: string;
  /** base64 of the public key blob */
  key: string;
  revoked: boolean;
}

/** The name a host is recorded under: "host" for port 22, "[host]:port" otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
  }
  return pattern.split(',').some((p) => p === name);
}

/** Keys recorded for `name` in the text of a known_hosts file. */
export function keysFor(text: string, name: string): KnownKey[] {
  const out: KnownKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]?.startsWith('@')) {
      if (fields[0] === '@revoked') revoked = true;
      else continue; // @cert-authority: certificates are not used here
      fields.shift();
    }
    const [hosts, keyType, key] = fields;
    if (hosts && keyType && key && patternMatches(hosts, name)) out.push({ keyType, key, revoked });
  }
  return out;
}

/** The key type named inside an SSH public key blob (its first string). */
export function blobKeyType(blob: Buffer): string {
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

export type Verdict = { ok: true; added: boolean } | { ok: false; reason: string };

/** Checks a presented host key against the file under the policy, appending it for accept-new. */
export async function verifyHostKey(file: string, host: string, port: number, blob: Buffer, policy: HostKeyPolicy): Promise<Verdict> {
  if (policy === 'off') return { ok: true, added: false };
  const name = knownHostName(host, port);
  const text = await readFile(file, 'utf8').catch(() => '');
  const keys = keysFor(text, name);
  const b64 = blob.toString('base64');
  if (keys.some((k) => k.revoked && k.key === b64)) return { ok: false, reason: `host key of ${name} is marked @revoked in ${file}` };
  if (keys.some((k) => !k.revoked && k.key === b64)) return { ok: true, added: false };
  const type = blobKeyType(blob);
  if (keys.some((k) => !k.revoked && k.keyType === type)) {
    return { ok: false, reason: `HOST KEY CHANGED for ${name}: the ${type} key differs from the one in ${file} (possible impostor; remove the old line if the change is expected)` };
  }
  if (policy === 'strict') {
    return { ok: false, reason: `host ${name} is not in ${file}: add its key (ssh-keyscan -p ${port} ${host} >> ${file}) or use hostKeyPolicy "accept-new"` };
  }
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, `${name} ${type} ${b64}\n`);
  return { ok: true, added: true };
}
