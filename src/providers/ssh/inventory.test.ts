// Inventory parsing: defaults and per-node overrides, and one clear error naming the file and
// field for each kind of mistake; an unreadable private key or known-hosts file (policy strict)
// is refused with one line naming it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../core/errors.ts';
import { checkInventoryFiles, parseInventory } from './inventory.ts';

describe('parseInventory', () => {
  it('applies defaults and per-node overrides', () => {
    const inv = parseInventory({ user: 'ops', privateKey: '/k', knownHosts: '/kh', nodes: [{ name: 'n1', host: 'h1' }, { name: 'n2', host: 'h2', address: '10.0.0.2', port: 2222, user: 'root' }] });
    expect(inv.nodes).toEqual([
      { name: 'n1', host: 'h1', address: 'h1', port: 22, user: 'ops', privateKey: '/k' },
      { name: 'n2', host: 'h2', address: '10.0.0.2', port: 2222, user: 'root', privateKey: '/k' },
    ]);
    expect(inv.hostKeyPolicy).toBe('strict');
    expect(inv.knownHosts).toBe('/kh');
  });

  it('names the file and the field at fault', () => {
    const cases: [unknown, RegExp][] = [
      [[], /inv\.json: \(top level\)/],
      [{ nodes: [] }, /inv\.json: nodes: must be a non-empty array/],
      [{ nodes: [{ name: 'n1' }] }, /nodes\[0\]\.host: must be a non-empty string/],
      [{ nodes: [{ name: 'n1', host: 'a' }, { name: 'n1', host: 'b' }] }, /nodes\[1\]\.name: duplicate node name "n1"/],
      [{ nodes: [{ name: 'n1', host: 'a', port: 70000 }] }, /nodes\[0\]\.port/],
      [{ hostKeyPolicy: 'yes', nodes: [{ name: 'n1', host: 'a' }] }, /hostKeyPolicy/],
      [{ sudo: 'no', nodes: [{ name: 'n1', host: 'a' }] }, /sudo: must be true or false/],
    ];
    for (const [data, msg] of cases) {
      expect(() => parseInventory(data, 'inv.json')).toThrow(InputError);
      expect(() => parseInventory(data, 'inv.json')).toThrow(msg);
    }
  });
});

describe('checkInventoryFiles', () => {
  it('refuses a missing private key or (strict) known-hosts file with one line naming it; accept-new and off need no known-hosts file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'faultline-inv-'));
    try {
      const key = path.join(dir, 'key');
      const kh = path.join(dir, 'known_hosts');
      const inv = (policy: string, privateKey = key) => parseInventory({ privateKey, knownHosts: kh, hostKeyPolicy: policy, nodes: [{ name: 'n1', host: 'h1' }, { name: 'n2', host: 'h2', privateKey: key }] });
      const refusal = (p: Promise<void>) => p.then(() => undefined, (e: unknown) => e as Error);

      const noKey = await refusal(checkInventoryFiles(inv('off', path.join(dir, 'other')), 'inv.json'));
      expect(noKey).toBeInstanceOf(UsageError);
      expect(noKey?.message).toBe(`ssh private key ${dir}/other cannot be read (ENOENT): create it (ssh-keygen -t ed25519 -f ${dir}/other) or name another with "privateKey" in inv.json`);

      await writeFile(key, 'a key');
      const noKnownHosts = await refusal(checkInventoryFiles(inv('strict'), 'inv.json'));
      expect(noKnownHosts).toBeInstanceOf(UsageError);
      expect(noKnownHosts?.message).toMatch(new RegExp(`^known-hosts file ${kh} cannot be read \\(ENOENT\\) and hostKeyPolicy is "strict": .*ssh-keyscan HOST >> ${kh}.* or use hostKeyPolicy "accept-new"$`));
      expect(noKnownHosts?.message).not.toContain('\n');
      await checkInventoryFiles(inv('accept-new'), 'inv.json');
      await checkInventoryFiles(inv('off'), 'inv.json');
      await writeFile(kh, '');
      await checkInventoryFiles(inv('strict'), 'inv.json');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
