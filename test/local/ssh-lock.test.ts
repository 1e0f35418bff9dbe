// The ssh provider's prefix on its hosts, for real: sshd runs in the namespaces of a local cluster
// and another controller (a separate process) holds the prefix on the hosts, with a marked daemon
// of its own. While it lives, an ssh run on that prefix is refused naming it and `cleanup
// --inventory` leaves its hosts alone; once it is SIGKILLed its connections drop, the hosts let
// the lock go, and the next run takes it over (saying so), removes the dead run's daemon and,
// when it goes down, the work directory and the lock record.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/core/provider.ts';
import { isLive, waitGone } from '../../src/control/proc.ts';
import { run } from '../../src/control/run.ts';
import { cleanupRun, runLeftovers } from '../../src/providers/local/cleanup.ts';
import { localProvider } from '../../src/providers/local/provider.ts';
import { removeStaleLocks } from '../../src/providers/run-lock.ts';
import { HOST_LOCK_DIR } from '../../src/providers/ssh/host-lock.ts';
import { type Inventory, readInventory } from '../../src/providers/ssh/inventory.ts';
import { cleanupInventory, sshProvider } from '../../src/providers/ssh/provider.ts';
import { IS_ROOT, SKIP_REASON } from './helpers.ts';

const LOCAL = 'fis';
const PREFIX = 'fih';
const WORK = `/tmp/faultline-${LOCAL}`;
const RECORD = path.join(HOST_LOCK_DIR, `ssh-${PREFIX}.json`);
const exists = (p: string) => stat(p).then(() => true, () => false);

/** Starts sshd (key login as root only) on every node of the cluster; its files go to `dir`. Whether it created /run/sshd. */
async function startSshd(cluster: Cluster, dir: string): Promise<boolean> {
  for (const key of ['host', 'client']) await run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, key)]);
  await writeFile(path.join(dir, 'authorized_keys'), await readFile(path.join(dir, 'client.pub')));
  await writeFile(path.join(dir, 'empty'), '');
  const createdRunSshd = !(await exists('/run/sshd'));
  if (createdRunSshd) await mkdir('/run/sshd', { mode: 0o755 });
  for (const n of cluster.nodes) {
    const settings = {
      ListenAddress: n.address, HostKey: path.join(dir, 'host'), PidFile: path.join(dir, `${n.name}.pid`), AuthorizedKeysFile: path.join(dir, 'authorized_keys'),
      PermitRootLogin: 'prohibit-password', PasswordAuthentication: 'no', KbdInteractiveAuthentication: 'no', UsePAM: 'no', StrictModes: 'no',
    };
    const conf = path.join(dir, `${n.name}.conf`);
    await writeFile(conf, Object.entries(settings).map(([k, v]) => `${k} ${v}\n`).join(''));
    // A private mount namespace hides root's login scripts from the sessions (lean hosts).
    const sshd = `mount --bind ${path.join(dir, 'empty')} /root/.bashrc 2>/dev/null; exec /usr/sbin/sshd -D -e -f ${conf}`;
    await cluster.remote(n.name).spawnDaemon({ argv: ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', sshd], logFile: path.join(WORK, `sshd-${n.name}.log`) });
  }
  for (const n of cluster.nodes) {
    let up = false;
    for (let i = 0; i < 200 && !up; i++) up = (await cluster.remote(n.name).exec(['nc', '-z', '-w', '1', n.address, '22'], { check: false })).exitCode === 0;
    if (!up) throw new Error(`sshd on ${n.name} did not come up`);
  }
  return createdRunSshd;
}

/** A controller in its own process that holds PREFIX on the hosts and starts a marked daemon on n1. */
const OTHER_CONTROLLER = `
const { lockHosts } = await import(process.argv[1] + '/src/providers/ssh/host-lock.ts');
const { readInventory, sshTarget } = await import(process.argv[1] + '/src/providers/ssh/inventory.ts');
const { SshRemote } = await import(process.argv[1] + '/src/control/ssh.ts');
const inv = await readInventory(process.argv[2]);
const remotes = inv.nodes.map((n) => new SshRemote(sshTarget(inv, n, '${PREFIX}')));
await lockHosts(remotes, '${PREFIX}', { log: () => {} });
const pid = await remotes[0].spawnDaemon({ argv: ['sleep', '300'], logFile: '/tmp/faultline-${PREFIX}/sleep.log' });
console.log('holding ' + pid);
setInterval(() => {}, 1 << 30);
`;

describe.skipIf(!IS_ROOT)(`the ssh prefix on its hosts (${IS_ROOT ? 'root' : SKIP_REASON})`, () => {
  const local = localProvider({ prefix: LOCAL, subnet: '10.221.4.0/24', nodes: 2, workDir: WORK, fakeClock: false });
  let keys = '';
  let inventoryFile = '';
  let inventory: Inventory;
  let createdRunSshd = false;
  const others: ReturnType<typeof spawn>[] = [];

  beforeAll(async () => {
    const cluster = await local.up();
    keys = await mkdtemp(path.join(os.tmpdir(), 'faultline-sshlock-'));
    createdRunSshd = await startSshd(cluster, keys);
    inventoryFile = path.join(keys, 'inventory.json');
    const nodes = cluster.nodes.map((n) => ({ name: n.name, host: n.address }));
    await writeFile(inventoryFile, JSON.stringify({ user: 'root', privateKey: path.join(keys, 'client'), knownHosts: path.join(keys, 'known_hosts'), hostKeyPolicy: 'accept-new', nodes }));
    inventory = await readInventory(inventoryFile);
  }, 120_000);

  afterAll(async () => {
    for (const o of others) o.kill('SIGKILL');
    await local.down();
    await cleanupRun(PREFIX);
    await removeStaleLocks(PREFIX);
    for (const f of [RECORD, path.join(HOST_LOCK_DIR, `ssh-${PREFIX}.lock`)]) await rm(f, { force: true });
    if (keys) await rm(keys, { recursive: true, force: true });
    if (createdRunSshd) await rmdir('/run/sshd').catch(() => {});
    expect(await runLeftovers(LOCAL)).toEqual([]);
  });

  it('a live holder refuses the run and is spared by cleanup; once SIGKILLed, its hosts are taken over and cleaned', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const other = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', OTHER_CONTROLLER, root, inventoryFile], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    others.push(other);
    const daemon = await new Promise<number>((resolve, reject) => {
      other.stdout.on('data', (d: Buffer) => {
        const m = /holding (\d+)/.exec(d.toString());
        if (m) resolve(Number(m[1]));
      });
      other.once('exit', (code) => reject(new Error(`the other controller exited ${code}`)));
    });
    expect(await isLive(daemon)).toBe(true);

    const refused = await sshProvider({ inventory, prefix: PREFIX }).up().then(() => undefined, (e: unknown) => e as Error);
    expect(refused?.message).toMatch(new RegExp(`^prefix ${PREFIX} on host n1 is in use by another run: controller pid ${other.pid} on machine ${os.hostname()} \\(ssh run ${PREFIX}\\) since .*; wait for it to end, or pick another prefix with --opt ssh\\.prefix=P$`));
    const spared = await cleanupInventory(inventory, PREFIX, () => {});
    expect(spared).toMatchObject([{ prefix: PREFIX, cleaned: [], problems: [] }]);
    expect(spared[0]!.left).toHaveLength(2);
    for (const l of spared[0]!.left) expect(l).toMatch(new RegExp(`^prefix ${PREFIX} on host n[12] is in use by another run: controller pid ${other.pid} `));
    expect(await isLive(daemon)).toBe(true);

    const gone = new Promise((r) => other.once('exit', r));
    other.kill('SIGKILL');
    await gone;
    // The hosts let go once sshd sees the connection close; until then the lock is still held.
    const free = async () => (await run(['flock', '-n', path.join(HOST_LOCK_DIR, `ssh-${PREFIX}.lock`), 'true'], { check: false })).exitCode === 0;
    for (let i = 0; i < 500 && !(await free()); i++) await new Promise((r) => setTimeout(r, 10));
    expect(await free()).toBe(true);

    const logged: string[] = [];
    const provider = sshProvider({ inventory, prefix: PREFIX, log: (l) => logged.push(l) });
    const cluster = await provider.up();
    try {
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(new RegExp(`^prefix ${PREFIX} on host n1: its holder is gone \\(controller pid ${other.pid} on machine ${os.hostname()} \\(ssh run ${PREFIX}\\) since .*\\); taking it over$`));
      expect(await waitGone([daemon], 5000)).toEqual([]);
      expect(JSON.parse(await readFile(RECORD, 'utf8'))).toMatchObject({ pid: process.pid, prefix: PREFIX });
      await cluster.remote('n2').exec(['mkdir', '-p', `/tmp/faultline-${PREFIX}/clock`]);
    } finally {
      await provider.down();
    }
    expect(await exists(RECORD)).toBe(false);
    expect(await exists(`/tmp/faultline-${PREFIX}`)).toBe(false);
  }, 120_000);
});
