// Crash safety: a controller that set up a cluster full of state is SIGKILLed; then the cleanup
// that `faultline cleanup` runs removes every namespace, veth, cgroup, rule and process of the
// run, the root namespace keeps nothing of ours and its firewall is exactly as before. A fresh `up` with the
// same prefix after a crash also starts from a clean slate.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isLive } from '../../src/control/proc.ts';
import { run } from '../../src/control/run.ts';
import { cleanupRun, runLeftovers, runProcesses } from '../../src/providers/local/cleanup.ts';
import { localProvider } from '../../src/providers/local/provider.ts';
import { IS_ROOT, SKIP_REASON } from './helpers.ts';

const PREFIX = 'flcr';
const SUBNET = '10.213.14.0/24';
const CONTROLLER = fileURLToPath(new URL('./crash-controller.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What of the root namespace this run could have touched: its links, addresses and routes that
 * mention our prefix or subnet (other runs on the machine come and go), and the whole firewall.
 */
async function rootState(): Promise<string> {
  const ours = (text: string) => text.split('\n').filter((l) => l.includes(`${PREFIX}-`) || l.includes('10.213.14.')).join('\n');
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
    await cleanupRun(PREFIX);
  });

  it('after the controller is SIGKILLed, cleanup leaves nothing of the run and the root namespace as it was', async () => {
    await cleanupRun(PREFIX);
    const before = await rootState();
    expect(before).not.toContain(`${PREFIX}-ctl`);
    const child = await startController();
    expect(await rootState()).toContain(`${PREFIX}-ctl`);
    const live = await runProcesses(PREFIX);
    expect(live.length).toBeGreaterThanOrEqual(6); // 3 probes, orphan pair, stopped sleep, delayer
    expect(await runLeftovers(PREFIX)).not.toEqual([]);
    await killController(child);

    const report = await cleanupRun(PREFIX);
    expect(report.problems).toEqual([]);
    expect(report.namespaces.sort()).toEqual([`${PREFIX}-n1`, `${PREFIX}-n2`, `${PREFIX}-n3`, `${PREFIX}-sw`]);
    expect(report.killed.length).toBeGreaterThan(0);
    expect(await runLeftovers(PREFIX)).toEqual([]);
    for (const pid of live) {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => 'gone');
      expect(stat === 'gone' || / [ZX] /.test(stat)).toBe(true);
    }
    expect(await rootState()).toEqual(before);
    expect(await isLive(child.pid!)).toBe(false);
  });

  it('up after a crash removes the leftovers first, and down removes everything', async () => {
    const child = await startController();
    const crashed = await runProcesses(PREFIX);
    expect(crashed.length).toBeGreaterThan(0);
    await killController(child);
    const provider = localProvider({ prefix: PREFIX, subnet: SUBNET, nodes: 2, workDir: `/tmp/faultline-${PREFIX}` });
    try {
      const cluster = await provider.up();
      expect(cluster.nodes.map((n) => n.name)).toEqual(['n1', 'n2']);
      const alive: number[] = [];
      for (const pid of crashed) if (await isLive(pid)) alive.push(pid);
      expect(alive).toEqual([]);
      const r = await cluster.remote('n1').exec(['ip', '-br', 'addr', 'show', 'eth0']);
      expect(r.stdout).toContain('10.213.14.11/24');
    } finally {
      await provider.down();
    }
    expect(await runLeftovers(PREFIX)).toEqual([]);
  });
});
