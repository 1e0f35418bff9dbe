// What `faultline test` refuses before anything starts, as a user meets it: one line, exit 254, no
// run directory. Node names with a provider that numbers its nodes itself; an ssh inventory whose
// private key or (strict) known-hosts file cannot be read; a topology that is unknown, badly
// written, or given to a provider without a network.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/faultline.js', import.meta.url));

describe('refused before anything starts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'faultline-refusals-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function refused(args: string[]): Promise<string> {
    const results = path.join(dir, 'results');
    const r = await execa('node', [BIN, 'test', '--results-dir', results, ...args], { reject: false });
    expect(r.exitCode).toBe(254);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await stat(results).then(() => true, () => false)).toBe(false);
    return r.stderr.trim();
  }

  it('--nodes with names says the local and docker providers take a count', async () => {
    expect(await refused(['--nodes', 'abc'])).toBe(
      'faultline: --nodes abc: the local provider takes a node count (e.g. --nodes 3) and names its nodes n1..nN itself; node names are for the ssh provider only',
    );
    expect(await refused(['--provider', 'docker', '--nodes', 'n1,n3'])).toMatch(/^faultline: --nodes n1,n3: the docker provider takes a node count \(e\.g\. --nodes 3\)/);
  });

  it('a topology: an unknown profile, a mistake in a file (named), a provider without a network', async () => {
    expect(await refused(['--topology', 'four-regions'])).toMatch(/^faultline: unknown topology "four-regions" \(built-in: single-region, three-regions, two-regions-asym/);
    const file = path.join(dir, 'bad-topology.json');
    await writeFile(file, JSON.stringify({ regions: [{ name: 'a' }, { name: 'b' }], links: [{ between: ['a', 'c'], rttMs: 5 }] }));
    expect(await refused(['--topology', file])).toBe(`faultline: topology ${file}: links[0].between names region "c", which is not in "regions" (a, b)`);
    expect(await refused(['--db', 'inprocess:atom', '--provider', 'none', '--nemesis', 'none', '--topology', 'three-regions'])).toBe(
      'faultline: --topology three-regions: provider none has no network to delay; use a provider with a cluster (local, ssh, docker)',
    );
  });

  it('an ssh private key or known-hosts file that cannot be read is named', async () => {
    const key = path.join(dir, 'id_test');
    const knownHosts = path.join(dir, 'known_hosts');
    const inventory = path.join(dir, 'hosts.json');
    // 192.0.2.0/24 is reserved for documentation: nothing may try to reach it, and nothing does.
    await writeFile(inventory, JSON.stringify({ privateKey: key, knownHosts, nodes: [{ name: 'n1', host: '192.0.2.1' }] }));
    const ssh = ['--provider', 'ssh', '--inventory', inventory, '--nodes', 'n1'];
    expect(await refused(ssh)).toMatch(new RegExp(`^faultline: ssh private key ${key} cannot be read \\(ENOENT\\)`));
    await writeFile(key, 'not checked here');
    expect(await refused(ssh)).toMatch(new RegExp(`^faultline: known-hosts file ${knownHosts} cannot be read \\(ENOENT\\) and hostKeyPolicy is "strict"`));
  });
});
