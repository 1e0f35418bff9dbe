// The ssh path for real: sshd runs inside the namespaces of a local cluster, and the ssh
// provider reaches those "hosts" over ssh2 exactly as it would remote machines: commands with
// awkward arguments, a daemon with its pid, signals guarded by the run marker, binary
// upload/download, host-key checking (strict refuses an unknown host, accept-new records it, a
// changed key is refused), connection reuse, an iptables partition between hosts, packet delay
// through the NFQUEUE helper built on the host, a topology's asymmetric WAN delay between hosts
// in two regions, the host-clock mode's refusal of hosts that share
// this kernel, and a whole test run (the raft store on the hosts, partitions, checkers).
import { mkdtemp, readFile, rm, writeFile, mkdir, rmdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/core/provider.ts';
import type { Topology } from '../../src/core/topology.ts';
import { isLive, processEnviron } from '../../src/control/proc.ts';
import { run } from '../../src/control/run.ts';
import { SshRemote } from '../../src/control/ssh.ts';
import { runLeftovers } from '../../src/providers/local/cleanup.ts';
import { localProvider } from '../../src/providers/local/provider.ts';
import { parseInventory } from '../../src/providers/ssh/inventory.ts';
import { sshProvider } from '../../src/providers/ssh/provider.ts';
import { IS_ROOT, SKIP_REASON, connectMs, oneWayMs, reachFrom, startProbe, waitServing } from './helpers.ts';
import { RUN_VAR } from '../../src/control/marker.ts';
import { HOST_TOOLS_DIR, helperOnHost } from '../../src/control/host-build.ts';
import { HOST_DELAY_QUEUE } from '../../src/net/host-faults.ts';
import { SET_CLOCK_SPEC } from '../../src/providers/ssh/host-wall-clock.ts';
import type { TestSpec } from '../../src/core/test.ts';
import { planNamed } from '../plan-helpers.ts';
import { runTest } from '../../src/runner/run-test.ts';
import { SILENT } from '../../src/runner/context.ts';
import { readHistoryFile } from '../../src/history/reader.ts';

const PREFIX = 'flss';
const SSH_PREFIX = 'flsh';
const WORK = `/tmp/faultline-${PREFIX}`;

describe.skipIf(!IS_ROOT)(`ssh remotes against sshd in namespaces (${IS_ROOT ? 'root' : SKIP_REASON})`, () => {
  const local = localProvider({ prefix: PREFIX, subnet: '10.213.15.0/24', nodes: 2, workDir: WORK, fakeClock: false });
  let cluster: Cluster;
  let keys: string;
  let createdRunSshd = false;
  const inventory = (policy: string, knownHosts: string) =>
    parseInventory({
      user: 'root',
      privateKey: path.join(keys, 'client'),
      knownHosts,
      hostKeyPolicy: policy,
      nodes: cluster.nodes.map((n) => ({ name: n.name, host: n.address })),
    });
  const remoteFor = (node: string, knownHosts: string, policy: 'strict' | 'accept-new' | 'off') =>
    new SshRemote({ node, host: cluster.nodes.find((n) => n.name === node)!.address, user: 'root', privateKeyFile: path.join(keys, 'client'), knownHostsFile: knownHosts, hostKeyPolicy: policy, prefix: SSH_PREFIX });

  beforeAll(async () => {
    cluster = await local.up();
    keys = await mkdtemp(path.join(os.tmpdir(), 'faultline-ssh-'));
    await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', path.join(keys, 'host')]);
    await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', path.join(keys, 'client')]);
    await writeFile(path.join(keys, 'authorized_keys'), await readFile(path.join(keys, 'client.pub')));
    await writeFile(path.join(keys, 'empty'), '');
    if (!(await stat('/run/sshd').then(() => true, () => false))) {
      await mkdir('/run/sshd', { mode: 0o755 });
      createdRunSshd = true;
    }
    for (const n of cluster.nodes) {
      const conf = path.join(keys, `sshd-${n.name}.conf`);
      await writeFile(
        conf,
        [
          `ListenAddress ${n.address}`,
          'Port 22',
          `HostKey ${path.join(keys, 'host')}`,
          `PidFile ${path.join(keys, `sshd-${n.name}.pid`)}`,
          `AuthorizedKeysFile ${path.join(keys, 'authorized_keys')}`,
          'PermitRootLogin prohibit-password',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'UsePAM no',
          'StrictModes no',
          'PrintMotd no',
          '',
        ].join('\n'),
      );
      await cluster.remote(n.name).spawnDaemon({
        // A private mount namespace hides this machine's slow root ~/.bashrc (pyenv init) from
        // the sessions, so the hosts behave like lean servers; nothing outside the node changes.
        argv: [
          'unshare', '--uts', '--mount', '--propagation', 'private', 'sh', '-c',
          `mount --bind ${path.join(keys, 'empty')} /root/.bashrc 2>/dev/null; hostname ${n.name} && exec /usr/sbin/sshd -D -e -f ${conf}`,
        ],
        logFile: path.join(WORK, 'logs', `sshd-${n.name}.log`),
      });
    }
    for (const n of cluster.nodes) {
      for (let i = 0; i < 100; i++) {
        const r = await cluster.remote(n.name).exec(['nc', '-z', '-w', '1', n.address, '22'], { check: false });
        if (r.exitCode === 0) break;
        await new Promise((res) => setTimeout(res, 20));
      }
    }
  });

  afterAll(async () => {
    await local.down();
    if (keys) await rm(keys, { recursive: true, force: true });
    if (createdRunSshd) await rmdir('/run/sshd').catch(() => {});
    expect(await runLeftovers(PREFIX)).toEqual([]);
  });

  it('strict host-key checking refuses an unknown host; accept-new records it; a changed key is refused', async () => {
    const kh = path.join(keys, 'known_hosts_policy');
    const strict = remoteFor('n1', kh, 'strict');
    await expect(strict.exec(['true'])).rejects.toThrow(/not in .*known_hosts_policy/);
    const acceptNew = remoteFor('n1', kh, 'accept-new');
    await acceptNew.exec(['true']);
    await acceptNew.close();
    expect(await readFile(kh, 'utf8')).toMatch(/^10\.213\.15\.11 ssh-ed25519 /);
    const again = remoteFor('n1', kh, 'strict');
    expect((await again.exec(['hostname'])).stdout.trim()).toBe('n1');
    await again.close();
    const other = (await readFile(path.join(keys, 'client.pub'), 'utf8')).split(' ').slice(0, 2).join(' ');
    await writeFile(kh, `10.213.15.11 ${other}\n`);
    const changed = remoteFor('n1', kh, 'strict');
    await expect(changed.exec(['true'])).rejects.toThrow(/HOST KEY CHANGED/);
  });

  it('exec, daemon, signal, upload and download over one reused connection per host', async () => {
    const provider = sshProvider({ inventory: inventory('accept-new', path.join(keys, 'known_hosts')), prefix: SSH_PREFIX });
    const c = await provider.up();
    try {
      const r1 = c.remote('n1') as SshRemote;
      const tricky = ["it's", 'a b', '$HOME', '"q"', '*', ';true', ''];
      const echoed = await r1.exec(['printf', '%s|', ...tricky]);
      expect(echoed.stdout).toBe(tricky.map((t) => `${t}|`).join(''));
      const env = await r1.exec(['sh', '-c', 'echo "$FOO" && pwd'], { env: { FOO: 'bar baz' }, cwd: '/tmp' });
      expect(env.stdout).toBe('bar baz\n/tmp\n');
      const failed = await r1.exec(['sh', '-c', 'echo oops >&2; exit 7'], { check: false });
      expect(failed).toMatchObject({ exitCode: 7, stderr: 'oops\n' });
      await expect(r1.exec(['false'])).rejects.toThrow(/exited 1/);
      expect((await r1.exec(['cat'], { input: 'from stdin' })).stdout).toBe('from stdin');
      const ns = (await r1.exec(['readlink', '/proc/self/ns/net'])).stdout.trim();
      expect(ns).toBe((await cluster.remote('n1').exec(['readlink', '/proc/self/ns/net'])).stdout.trim());

      const pid = await r1.spawnDaemon({ argv: ['sleep', '300'], env: { X: '1' }, logFile: path.join(WORK, 'ssh', 'sleep.log') });
      expect(await isLive(pid)).toBe(true);
      const environ = await processEnviron(pid);
      expect(environ?.get('FAULTLINE_RUN')).toBe(SSH_PREFIX);
      expect(environ?.get('X')).toBe('1');
      await expect(r1.signal(process.pid, 'SIGTERM')).rejects.toThrow(/not a process of run/);
      await r1.signal(pid, 'SIGKILL');
      for (let i = 0; i < 100 && (await isLive(pid)); i++) await new Promise((r) => setTimeout(r, 10));
      expect(await isLive(pid)).toBe(false);

      const blob = randomBytes(300_000);
      const src = path.join(keys, 'blob');
      await writeFile(src, blob);
      await r1.upload(src, path.join(WORK, 'ssh', 'up', 'blob'));
      expect((await readFile(path.join(WORK, 'ssh', 'up', 'blob'))).equals(blob)).toBe(true);
      await r1.download(path.join(WORK, 'ssh', 'up', 'blob'), path.join(keys, 'back'));
      expect((await readFile(path.join(keys, 'back'))).equals(blob)).toBe(true);
      expect(r1.connections).toBe(1);
    } finally {
      await provider.down();
    }
  });

  it('runs a whole test over ssh: the raft store on the hosts, partitions by iptables, checked', async () => {
    const invFile = path.join(keys, 'inventory.json');
    await writeFile(
      invFile,
      JSON.stringify({
        user: 'root',
        privateKey: path.join(keys, 'client'),
        knownHosts: path.join(keys, 'known_hosts_run'),
        hostKeyPolicy: 'accept-new',
        nodes: cluster.nodes.map((n) => ({ name: n.name, host: n.address })),
      }),
    );
    const resultsDir = await mkdtemp(path.join(os.tmpdir(), 'faultline-ssh-run-'));
    const o: TestSpec = {
      name: 'ssh-raft', db: 'reference:raft', workload: 'register', nemesis: ['partition'], nemesisIntervalS: 4,
      provider: 'ssh', nodes: cluster.nodes.map((n) => n.name), concurrency: 4, timeLimitS: 12,
      rate: 100, opTimeoutMs: 2000, recoveryS: 1, seed: 3, bug: [], resultsDir, checkerTimeS: 60,
      // Many compare-and-sets, and 4 s between faults (two hosts have no majority while split;
      // after a heal the election takes up to a second), so some succeed whatever the timing
      // (the stats checker fails an op kind that never succeeded).
      options: { 'ssh.inventory': invFile, 'ssh.prefix': SSH_PREFIX, 'register.cas-ratio': '0.3' },
    };
    try {
      const outcome = await runTest(await planNamed(o), { log: SILENT });
      expect(outcome.errors).toEqual([]);
      const checkers = outcome.results['checkers'] as Record<string, { valid: unknown }>;
      const invalid = Object.entries(checkers).filter(([, r]) => r.valid !== true);
      expect(invalid.map(([name, r]) => `${name}: ${JSON.stringify(r).slice(0, 600)}`)).toEqual([]);
      expect(outcome.valid).toBe(true);
      const { history } = await readHistoryFile(path.join(outcome.runDir, 'history.jsonl'));
      expect(history.some((op) => op.f === 'start-partition' && op.type === 'ok')).toBe(true);
      expect(history.filter((op) => op.f === 'write' && op.type === 'ok').length).toBeGreaterThan(0);
      for (const n of cluster.nodes) {
        expect((await cluster.remote(n.name).exec(['iptables', '-S'])).stdout).not.toContain('FAULTLINE');
      }
    } finally {
      await rm(resultsDir, { recursive: true, force: true });
    }
  });

  let probes: Promise<void> | undefined;
  /** Probe servers on both hosts, started once for the tests that measure the network. */
  const ensureProbes = (): Promise<void> =>
    (probes ??= (async () => {
      for (const n of cluster.nodes) await startProbe(cluster, n, path.join(WORK, 'logs'));
      for (const n of cluster.nodes) await waitServing(n.address);
    })());

  it('partitions ssh hosts with per-host iptables chains, and heal removes them', async () => {
    const provider = sshProvider({ inventory: inventory('accept-new', path.join(keys, 'known_hosts')), prefix: SSH_PREFIX });
    const c = await provider.up();
    try {
      await ensureProbes();
      expect(await reachFrom(cluster, 'n1')).toEqual({ n2: true });
      await c.net!.partition({ n2: ['n1'] });
      expect(await reachFrom(cluster, 'n1')).toEqual({ n2: false });
      expect((await cluster.remote('n2').exec(['iptables', '-S', 'FAULTLINE-PART'])).stdout).toContain('-s 10.213.15.11/32 -j DROP');
      await c.net!.healPartition();
      expect(await reachFrom(cluster, 'n1')).toEqual({ n2: true });
      const rules = await cluster.remote('n2').exec(['iptables', '-S']);
      expect(rules.stdout).not.toContain('FAULTLINE');
    } finally {
      await provider.down();
    }
  });

  it('delays packets between ssh hosts with the NFQUEUE helper built on the receiving host; heal removes it', async () => {
    const provider = sshProvider({ inventory: inventory('accept-new', path.join(keys, 'known_hosts')), prefix: SSH_PREFIX });
    const c = await provider.up();
    try {
      await ensureProbes();
      expect((await c.net!.support())['delay']).toMatchObject({ available: true });
      const base = await connectMs(cluster, 'n1', 'n2');
      await c.net!.packet({ links: [{ from: 'n1', to: 'n2' }], delayMs: 100 });
      const rules = (await cluster.remote('n2').exec(['iptables', '-S', 'FAULTLINE-DELAY'])).stdout;
      expect(rules).toContain(`-s 10.213.15.11/32 -d 10.213.15.12/32 -j NFQUEUE --queue-num ${HOST_DELAY_QUEUE}`);
      // The helper is not one of the node's processes: killing or pausing the node leaves it running.
      expect(await c.nodeControl!.pids('n2')).toEqual([]);
      // Only this run's helpers count: other runs on this machine may run delay helpers of their own.
      const mine = `for p in $(pgrep -f ${HOST_TOOLS_DIR}/nfq-dela[y]); do tr '\\0' '\\n' < /proc/$p/environ 2>/dev/null | grep -qx ${RUN_VAR}=${SSH_PREFIX} && echo $p; done; true`;
      expect((await cluster.remote('n2').exec(['sh', '-c', mine])).stdout.trim()).not.toBe('');
      // A connect's SYN crosses the delayed link once: about 100 ms more (within 20%).
      const added = (await connectMs(cluster, 'n1', 'n2')) - base;
      expect(added).toBeGreaterThan(80);
      expect(added).toBeLessThan(120);
      await c.net!.healPacket();
      expect((await cluster.remote('n2').exec(['iptables', '-S'])).stdout).not.toContain('FAULTLINE');
      expect((await connectMs(cluster, 'n1', 'n2')) - base).toBeLessThan(40);
      const helpers = await cluster.remote('n2').exec(['sh', '-c', mine]);
      expect(helpers.stdout.trim()).toBe('');
    } finally {
      await provider.down();
    }
  });

  it('delays the WAN between ssh hosts in two regions, each direction its own delay; healing the WAN removes it', async () => {
    const provider = sshProvider({ inventory: inventory('accept-new', path.join(keys, 'known_hosts')), prefix: SSH_PREFIX });
    const c = await provider.up();
    try {
      await ensureProbes();
      const base = await connectMs(cluster, 'n1', 'n2');
      const topology: Topology = {
        name: 'two-hosts',
        regions: [{ name: 'east', nodes: ['n1'] }, { name: 'west', nodes: ['n2'] }],
        links: [{ between: ['east', 'west'], oneWayMs: [60, 20], jitterMs: 0 }],
      };
      await c.net!.wan!(topology);
      // A connect's SYN crosses east to west (60 ms), its SYN-ACK back (20 ms).
      const added = (await connectMs(cluster, 'n1', 'n2')) - base;
      expect(added).toBeGreaterThan(70);
      expect(added).toBeLessThan(110);
      const west = await oneWayMs(cluster, 'n1', 'n2');
      const east = await oneWayMs(cluster, 'n2', 'n1');
      expect(west - east).toBeGreaterThan(30);
      await c.net!.healWan!();
      for (const n of ['n1', 'n2']) expect((await cluster.remote(n).exec(['iptables', '-S'])).stdout).not.toContain('FAULTLINE');
      expect((await connectMs(cluster, 'n1', 'n2')) - base).toBeLessThan(40);
    } finally {
      await provider.down();
    }
  });

  it('host clock mode refuses hosts that share the controller kernel; the set-clock helper builds and reads the clock', async () => {
    const provider = sshProvider({ inventory: inventory('accept-new', path.join(keys, 'known_hosts')), prefix: SSH_PREFIX, clock: 'host' });
    await expect(provider.up()).rejects.toThrow(/n[12] runs on the controller's own kernel .* use --opt ssh\.clock=faketime/);
    const r1 = remoteFor('n1', path.join(keys, 'known_hosts'), 'accept-new');
    try {
      const bin = await helperOnHost(r1, SET_CLOCK_SPEC);
      expect(bin).toMatch(new RegExp(`^${HOST_TOOLS_DIR}/set-clock-[0-9a-f]{16}$`));
      const before = Date.now();
      const now = Number((await r1.exec([bin, 'now'])).stdout.trim());
      expect(now).toBeGreaterThanOrEqual(before - 1000);
      expect(now).toBeLessThanOrEqual(Date.now() + 1000);
      // Bad usage is refused before the clock is touched.
      expect(await r1.exec([bin, 'bump', '5x'], { check: false })).toMatchObject({ exitCode: 2 });
    } finally {
      await r1.close();
    }
  });
});
