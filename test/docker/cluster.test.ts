// A real 5-node docker cluster (containers on a labelled bridge, fixed addresses): exec through
// the engine keeps stdout / stderr / exit codes apart and honours stdin, env, cwd and timeouts;
// files travel as archives; the partition nemesis's shapes (one, halves, bridge) block exactly
// their grudges' pairs (real TCP from inside the containers), also after a network reconnect
// renames the interface to eth1; loss, rate limits and delay (the NFQUEUE helper built in the
// node) apply per link; pause, kill and clock work
// through the provider; down leaves nothing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeContext, type RunContext } from '../../src/core/context.ts';
import { runContext } from '../../src/runner/context.ts';
import type { Grudge } from '../../src/core/provider.ts';
import { makeRng } from '../../src/generator/rng.ts';
import { grudgeLinks } from '../../src/net/grudge.ts';
import { dockerLeftovers } from '../../src/providers/docker/cleanup.ts';
import { type DockerCluster, dockerClient, dockerProvider } from '../../src/providers/docker/provider.ts';
import { PartitionNemesis, type PartitionShape } from '../../nemeses/partition.ts';
import { ask, connectMs, probeDb, reachFrom, reachMatrix } from '../local/helpers.ts';
import { CI, GATE, SKIP, requireDocker } from './helpers.ts';

const PREFIX = 'fldc';
const NAMES = ['n1', 'n2', 'n3', 'n4', 'n5'];

/** TCP a>b works iff neither side drops the other's packets. */
function expectedMatrix(grudge: Grudge): Record<string, boolean> {
  const cut = new Set(grudgeLinks(grudge).map((l) => `${l.from}>${l.to}`));
  const m: Record<string, boolean> = {};
  for (const a of NAMES) for (const b of NAMES) if (a !== b) m[`${a}>${b}`] = !cut.has(`${a}>${b}`) && !cut.has(`${b}>${a}`);
  return m;
}

describe.runIf(CI)('docker engine in CI', () => {
  it('answers and has the node image (CI builds them first; a failure here means `faultline setup docker` failed)', () => {
    requireDocker();
  });
});

describe.skipIf(SKIP)(`docker cluster (${GATE})`, () => {
  const work = mkdtempSync(path.join(tmpdir(), 'faultline-docker-'));
  const provider = dockerProvider({ prefix: PREFIX, subnet: '10.214.1.0/24', nodes: 5, shared: [work] });
  const docker = dockerClient();
  let cluster: DockerCluster;
  const db = probeDb(path.join(work, 'logs'));
  const dbContext = (): RunContext => runContext({ cluster, db, runDir: work });
  let nemesis: PartitionNemesis;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    requireDocker();
    cluster = (await provider.up()) as DockerCluster;
    await Promise.all(cluster.nodes.map((n) => db.setup(nodeContext(dbContext(), n))));
    nemesis = new PartitionNemesis({ nodes: NAMES, db, rng: makeRng(7) });
  }, 120_000);

  afterAll(async () => {
    await nemesis?.teardown(dbContext());
    await provider.down();
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('gives each node its fixed address on the labelled network', async () => {
    expect(cluster.nodes.map((n) => n.address)).toEqual(['10.214.1.11', '10.214.1.12', '10.214.1.13', '10.214.1.14', '10.214.1.15']);
    const shown = await cluster.remote('n3').exec(['ip', '-4', '-o', 'addr', 'show']);
    expect(shown.stdout).toContain('inet 10.214.1.13/24');
    const nets = await docker.listNetworks({ filters: JSON.stringify({ label: [`faultline.prefix=${PREFIX}`] }) });
    expect(nets.map((n) => n.Name)).toEqual([`${PREFIX}-net`]);
  });

  it('exec separates stdout and stderr, reports exit codes, passes stdin, env and cwd', async () => {
    const r = cluster.remote('n1');
    expect(await r.exec(['sh', '-c', 'echo out; echo err >&2; exit 3'], { check: false })).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 3 });
    await expect(r.exec(['sh', '-c', 'echo boom >&2; exit 4'])).rejects.toThrow(/n1: `sh -c .*` exited 4: boom/);
    expect((await r.exec(['cat'], { input: 'line 1\nline 2\n' })).stdout).toBe('line 1\nline 2\n');
    expect((await r.exec(['sh', '-c', 'echo "$GREETING"; pwd'], { env: { GREETING: 'hi there' }, cwd: '/etc' })).stdout).toBe('hi there\n/etc\n');
    await expect(r.exec(['sleep', '30'], { timeoutMs: 300 })).rejects.toThrow(/timed out after 300 ms/);
    expect((await r.exec(['sh', '-c', 'pgrep -x sleep -a | grep -c "sleep 30"'], { check: false })).stdout.trim()).toBe('0');
  });

  it('upload and download carry bytes and the file mode through archives', async () => {
    const src = path.join(work, 'blob.bin');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
    writeFileSync(src, bytes, { mode: 0o750 });
    await cluster.remote('n2').upload(src, '/var/tmp/up/dir/blob.bin');
    expect((await cluster.remote('n2').exec(['stat', '-c', '%a %s', '/var/tmp/up/dir/blob.bin'])).stdout.trim()).toBe('750 70000');
    const back = path.join(work, 'back', 'blob.bin');
    await cluster.remote('n2').download('/var/tmp/up/dir/blob.bin', back);
    expect(readFileSync(back).equals(bytes)).toBe(true);
    await expect(cluster.remote('n2').download('/nonexistent/file', back)).rejects.toThrow(/n2: cannot download \/nonexistent\/file/);
  });

  it('signal refuses a live process that is not of this run', async () => {
    await expect(cluster.remote('n1').signal(1, 'SIGTERM')).rejects.toThrow(/pid 1 is not a process of run fldc/);
  });

  it('starts fully connected, and the controller reaches every node', async () => {
    expect(Object.values(await reachMatrix(cluster)).every(Boolean)).toBe(true);
    for (const n of cluster.nodes) expect(await ask(n.address)).toBeDefined();
  });

  for (const shape of ['one', 'halves', 'bridge'] as PartitionShape[]) {
    it(`partition shape ${shape}: blocks exactly the grudge's pairs, keeps the controller, heals`, async () => {
      const c = await nemesis.invoke(dbContext(), { f: 'start-partition', value: { shape } }, { signal });
      expect(c.type).toBe('ok');
      const grudge = (c.value as { grudge: Grudge }).grudge;
      expect(grudgeLinks(grudge).length).toBeGreaterThan(0);
      expect(await reachMatrix(cluster)).toEqual(expectedMatrix(grudge));
      for (const n of cluster.nodes) expect(await ask(n.address)).toBeDefined();
      expect((await nemesis.invoke(dbContext(), { f: 'stop-partition', value: null }, { signal })).type).toBe('ok');
      expect(Object.values(await reachMatrix(cluster)).every(Boolean)).toBe(true);
    });
  }

  it('partitions match addresses: after a network reconnect (interface now eth1) the cut still holds', async () => {
    const net = docker.getNetwork(`${PREFIX}-net`);
    await net.disconnect({ Container: `${PREFIX}-n5` });
    await net.connect({ Container: `${PREFIX}-n5`, EndpointConfig: { IPAMConfig: { IPv4Address: '10.214.1.15' } } });
    expect((await cluster.remote('n5').exec(['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth1'])).stdout).toContain('10.214.1.15/24');
    await cluster.net.partition({ n5: ['n1'], n1: ['n5'] });
    const from5 = await reachFrom(cluster, 'n5');
    expect(from5).toEqual({ n1: false, n2: true, n3: true, n4: true });
    await cluster.net.healPartition();
    expect(Object.values(await reachFrom(cluster, 'n5')).every(Boolean)).toBe(true);
  });

  it('packet faults: full loss on one link cuts only that pair; a rate limit installs htb on the sender; heal removes both', async () => {
    await cluster.net.packet({ links: [{ from: 'n1', to: 'n2' }], loss: 1, rateKbit: 2000 });
    expect(await reachFrom(cluster, 'n1')).toEqual({ n2: false, n3: true, n4: true, n5: true });
    expect((await cluster.ctl('n1').exec(['tc', 'qdisc', 'show'])).stdout).toMatch(/qdisc htb/);
    await cluster.net.healPacket();
    expect(Object.values(await reachFrom(cluster, 'n1')).every(Boolean)).toBe(true);
    expect((await cluster.ctl('n1').exec(['tc', 'qdisc', 'show'])).stdout).not.toMatch(/qdisc htb/);
  });

  it('packet delay: the NFQUEUE helper built in the receiving node adds about the requested 100 ms to one link only', async () => {
    const base = await connectMs(cluster, 'n1', 'n2');
    const nodePids = await cluster.nodeControl.pids('n2');
    await cluster.net.packet({ links: [{ from: 'n1', to: 'n2' }], delayMs: 100 });
    try {
      expect((await cluster.ctl('n2').exec(['iptables', '-S', 'FAULTLINE-DELAY'])).stdout).toContain('-s 10.214.1.11/32 -d 10.214.1.12/32 -j NFQUEUE');
      const added = (await connectMs(cluster, 'n1', 'n2')) - base;
      expect(added).toBeGreaterThan(80);
      expect(added).toBeLessThan(120);
      expect(await connectMs(cluster, 'n1', 'n3')).toBeLessThan(base + 40);
      // The helper is a fault helper, not one of the node's processes.
      expect(await cluster.nodeControl.pids('n2')).toEqual(nodePids);
    } finally {
      await cluster.net.healPacket();
    }
    expect((await cluster.ctl('n2').exec(['iptables', '-S'])).stdout).not.toContain('FAULTLINE');
    expect((await connectMs(cluster, 'n1', 'n2')) - base).toBeLessThan(40);
  });

  it('pause freezes the node through the engine; its processes stay visible from the sidecar; thaw resumes', async () => {
    const ctl = cluster.nodeControl;
    const before = await ctl.pids('n3');
    expect(before.length).toBeGreaterThan(0);
    await ctl.freeze('n3');
    expect((await docker.getContainer(`${PREFIX}-n3`).inspect()).State.Paused).toBe(true);
    expect(await ask('10.214.1.13', 500)).toBeUndefined();
    await expect(cluster.remote('n3').exec(['true'])).rejects.toThrow(/is paused/);
    expect(await ctl.pids('n3')).toEqual(before);
    await ctl.thaw('n3');
    expect(await ask('10.214.1.13')).toBeDefined();
  });

  it('kill removes every marked process of the node (also when paused) and keeps the container and its rules', async () => {
    const ctl = cluster.nodeControl;
    await cluster.net.partition({ n4: ['n2'], n2: ['n4'] });
    await ctl.freeze('n4');
    await ctl.killAll('n4');
    expect(await ctl.pids('n4')).toEqual([]);
    expect(await ask('10.214.1.14', 500)).toBeUndefined();
    const state = (await docker.getContainer(`${PREFIX}-n4`).inspect()).State;
    expect({ running: state.Running, paused: state.Paused }).toEqual({ running: true, paused: false });
    expect((await cluster.ctl('n4').exec(['iptables', '-S', 'FAULTLINE-PART'])).stdout).toContain('-s 10.214.1.12/32 -j DROP');
    await cluster.net.healPartition();
    await db.setup(nodeContext(dbContext(), cluster.nodes[3]!));
    expect(await ask('10.214.1.14')).toBeDefined();
  });

  it('clock: daemons started through the Remote follow the node offset set through libfaketime', async () => {
    const clock = cluster.clock!;
    expect(clock).toBeDefined();
    await clock.setOffset('n2', 86_400_000);
    const log = path.join(work, 'logs', 'date-n2.log');
    await cluster.remote('n2').spawnDaemon({ argv: ['sh', '-c', 'date +%s; date +%s -u > /dev/null'], logFile: log });
    const plain = Number((await cluster.remote('n2').exec(['date', '+%s'])).stdout);
    let faked = NaN;
    for (let i = 0; i < 100 && Number.isNaN(faked); i++) {
      faked = Number(readFileSync(log, 'utf8').split('\n')[0] || NaN);
      if (Number.isNaN(faked)) await new Promise((r) => setTimeout(r, 20));
    }
    expect(faked - plain).toBeGreaterThan(86_000);
    expect(clock.offset('n2')).toBe(86_400_000);
    await clock.setOffset('n2', 0);
  });

  it('down removes every container, network and volume of the run', async () => {
    await nemesis.teardown(dbContext());
    await provider.down();
    expect(await dockerLeftovers(docker, PREFIX)).toEqual([]);
  }, 60_000);
});
