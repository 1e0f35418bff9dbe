// Crash safety: while the controller of a cluster full of state lives, `faultline cleanup
// --prefix` leaves the run alone and names the controller; once the controller is SIGKILLed, the
// same command removes every namespace, veth, cgroup, rule, process and the work directory of the
// run, and its locks; the root namespace keeps nothing of ours and its firewall is exactly as
// before. After a crash, a run with another prefix on the same subnet is refused by the dead
// run's route and pointed at the cleanup; a fresh `up` with the same prefix takes the dead run's
// prefix over (and says so) and starts from a clean slate.
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { isLive } from '../../src/control/proc.ts';
import { run } from '../../src/control/run.ts';
import { cleanupRun, runLeftovers, runProcesses } from '../../src/providers/local/cleanup.ts';
import { localProvider } from '../../src/providers/local/provider.ts';
import { listRunLocks, removeStaleLocks } from '../../src/providers/run-lock.ts';
import { IS_ROOT, SKIP_REASON } from './helpers.ts';

const PREFIX = 'ficr';
const NET24 = '10.221.14';
const SUBNET = `${NET24}.0/24`;
const WORK = `/tmp/faultline-${PREFIX}`;
const CONTROLLER = fileURLToPath(new URL('./crash-controller.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));

interface CleanupDoc {
  runs: { prefix: string; namespaces: string[]; killed: number[]; problems: string[]; workDir?: string; staleLocks: string[] }[];
  left: { prefix: string; pid: number }[];
  ok: boolean;
}

/** `faultline cleanup --prefix PREFIX --json`, as a user runs it. */
async function cleanupCli(): Promise<CleanupDoc> {
  const r = await execa('node', [BIN, 'cleanup', '--prefix', PREFIX, '--json'], { reject: false });
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout) as CleanupDoc;
}

const ourLocks = async () => (await listRunLocks()).filter((l) => l.holder.prefix === PREFIX).map((l) => [l.key, l.alive]);

/**
 * What of the root namespace this run could have touched: its links, addresses and routes that
 * mention our prefix or subnet (other runs on the machine come and go), and the whole firewall.
 */
async function rootState(): Promise<string> {
  const ours = (text: string) => text.split('\n').filter((l) => l.includes(`${PREFIX}-`) || l.includes(`${NET24}.`)).join('\n');
  const parts = await Promise.all([
    run(['ip', '-o', 'link', 'show']).then((r) => ours(r.stdout)),
    run(['ip', '-o', 'addr', 'show']).then((r) => ours(r.stdout)),
    run(['ip', 'route', 'show']).then((r) => ours(r.stdout)),
    run(['nft', 'list', 'ruleset']).then((r) => r.stdout),
    run(['iptables-save']).then((r) => r.stdout.replace(/^#.*$/gm, '').replace(/\[\d+:\d+\]/g, '')),
  ]);
  return parts.join('\n---\n');
}

const started: ReturnType<typeof spawn>[] = [];

/** Starts the crash controller and resolves with it once the cluster is full of state. */
function startController(): Promise<ReturnType<typeof spawn>> {
  // One process (no tsx wrapper), so the SIGKILL hits the controller itself.
  const child = spawn(process.execPath, ['--import', 'tsx', CONTROLLER, PREFIX, SUBNET], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve(child);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`crash controller exited ${code}: ${err}`)));
  });
}

async function killController(child: ReturnType<typeof spawn>): Promise<void> {
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

describe.skipIf(!IS_ROOT)(`crash-safe cleanup (${IS_ROOT ? 'root' : SKIP_REASON})`, () => {
  afterAll(async () => {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const p of [PREFIX, 'ficx']) {
      await cleanupRun(p);
      await removeStaleLocks(p);
    }
  });

  it('cleanup leaves the run alone while its controller lives; after a SIGKILL it leaves nothing of the run and the root namespace as it was', async () => {
    await cleanupRun(PREFIX);
    await removeStaleLocks(PREFIX);
    const before = await rootState();
    expect(before).not.toContain(`${PREFIX}-ctl`);
    const child = await startController();
    expect(await rootState()).toContain(`${PREFIX}-ctl`);
    const live = await runProcesses(PREFIX);
    expect(live.length).toBeGreaterThanOrEqual(6); // 3 probes, orphan pair, stopped sleep, delayer
    const leftovers = await runLeftovers(PREFIX);
    expect(leftovers).not.toEqual([]);
    expect(await ourLocks()).toEqual([[`prefix-${PREFIX}`, true], [`subnet-${NET24}`, true]]);

    const spared = await cleanupCli();
    expect(spared.runs).toEqual([]);
    expect(spared.left).toMatchObject([{ prefix: PREFIX, pid: child.pid }]);
    expect(await runLeftovers(PREFIX)).toEqual(leftovers);
    await killController(child);
    expect(await ourLocks()).toEqual([[`prefix-${PREFIX}`, false], [`subnet-${NET24}`, false]]);

    const doc = await cleanupCli();
    expect(doc.left).toEqual([]);
    expect(doc.runs).toHaveLength(1);
    const report = doc.runs[0]!;
    expect(report.problems).toEqual([]);
    expect(report.namespaces.sort()).toEqual([`${PREFIX}-n1`, `${PREFIX}-n2`, `${PREFIX}-n3`, `${PREFIX}-sw`]);
    expect(report.killed.length).toBeGreaterThan(0);
    expect(report.workDir).toBe(WORK);
    expect(report.staleLocks).toEqual([`subnet ${SUBNET}`]);
    expect(await runLeftovers(PREFIX)).toEqual([]);
    expect(await stat(WORK).then(() => true, () => false)).toBe(false);
    expect(await ourLocks()).toEqual([]);
    for (const pid of live) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => 'gone');
      expect(stat === 'gone' || / [ZX] /.test(stat)).toBe(true);
    }
    expect(await rootState()).toEqual(before);
    expect(await isLive(child.pid!)).toBe(false);
  });

  it('after a crash, a run on the same subnet is stopped by the leftovers; up with the same prefix takes it over, removes the leftovers first, and down removes everything', async () => {
    const child = await startController();
    const crashed = await runProcesses(PREFIX);
    expect(crashed.length).toBeGreaterThan(0);
    await killController(child);
    const leftovers = await runLeftovers(PREFIX);
    // A run with another prefix on the crashed run's subnet takes the stale subnet lock over, is
    // stopped by the crashed run's route and pointed at the cleanup, and changes nothing.
    const othersLog: string[] = [];
    const other = localProvider({ prefix: 'ficx', subnet: SUBNET, nodes: 1, log: (line) => othersLog.push(line) });
    await expect(other.up()).rejects.toThrow(`subnet ${SUBNET} is already routed via ${PREFIX}-ctl (${SUBNET}): pick another subnet with --opt local.subnet=A.B.C.0/24, or \`faultline cleanup --prefix ${PREFIX}\` if run ${PREFIX} crashed`);
    expect(othersLog).toHaveLength(1);
    expect(othersLog[0]).toMatch(new RegExp(`^subnet ${NET24}\\.0/24: its holder is gone \\(controller pid ${child.pid} \\(local run ${PREFIX}\\) `));
    expect(await runLeftovers('ficx')).toEqual([]);
    expect(await runLeftovers(PREFIX)).toEqual(leftovers);
    expect(await ourLocks()).toEqual([[`prefix-${PREFIX}`, false]]);

    const logged: string[] = [];
    const provider = localProvider({ prefix: PREFIX, subnet: SUBNET, nodes: 2, workDir: WORK, log: (line) => logged.push(line) });
    try {
      const cluster = await provider.up();
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(new RegExp(`^prefix ${PREFIX}: its holder is gone \\(controller pid ${child.pid} \\(local run ${PREFIX}\\) since .*crash-controller\\.ts ${PREFIX} .*\\); taking it over$`));
      expect(cluster.nodes.map((n) => n.name)).toEqual(['n1', 'n2']);
      const alive: number[] = [];
      for (const pid of crashed) if (await isLive(pid)) alive.push(pid);
      expect(alive).toEqual([]);
      const r = await cluster.remote('n1').exec(['ip', '-br', 'addr', 'show', 'eth0']);
      expect(r.stdout).toContain(`${NET24}.11/24`);
    } finally {
      await provider.down();
    }
    expect(await runLeftovers(PREFIX)).toEqual([]);
    expect(await ourLocks()).toEqual([]);
    expect(await stat(WORK).then(() => true, () => false)).toBe(false);
  });
});
