/**
 * The `ssh` provider: a cluster of real hosts from an inventory, reached with ssh2 (key auth,
 * host keys checked, one reused connection per host, sudo when not root). `up` takes the prefix,
 * on the controller's machine and on every host (refused while another live controller holds it;
 * see host-lock.ts), then removes leftovers of an earlier run with the same prefix (our iptables
 * chains and tc qdiscs, marked processes, the work directory /tmp/faultline-<prefix>); `down`
 * does the same, gives the prefix back and closes the connections. Network faults
 * are per-host iptables/tc rules in chains of our own; pause is SIGSTOP. The clock nemesis works
 * in one of two ways: `faketime`, daemons follow a libfaketime offset file on their host; `host`,
 * the hosts' own wall clocks are stepped (only on machines of their own, see host-wall-clock.ts).
 */
import { FaultlineError, UsageError } from '../../core/errors.ts';
import type { Cluster, Provider } from '../../core/provider.ts';
import type { Remote } from '../../core/remote.ts';
import { SshRemote } from '../../control/ssh.ts';
import { HostNetFaults } from '../../net/host-faults.ts';
import { RUN_VAR } from '../../control/marker.ts';
import { shellQuote } from '../../control/quote.ts';
import { DELAY_CHAIN, DUP_CHAIN, LOSS_CHAIN, PART_CHAIN, iptablesUnhook } from '../../net/rules.ts';
import { DEFAULT_PREFIX, checkPrefix, defaultWorkDir } from '../local/layout.ts';
import { type RunLock, acquireRunLock, logToStderr } from '../run-lock.ts';
import { HostClock, HostNodeControl, markedPidsScript } from './host-control.ts';
import { HOST_LOCK_DIR, type HostLocks, lockHosts } from './host-lock.ts';
import { HostWallClock } from './host-wall-clock.ts';
import { sshTarget, type Inventory } from './inventory.ts';
import { cleanupFaultFs } from '../../disk/faultfs.ts';

export const SSH_CLOCK_MODES = ['none', 'faketime', 'host'] as const;
export type SshClockMode = (typeof SSH_CLOCK_MODES)[number];

export interface SshProviderOptions {
  inventory: Inventory;
  /** Run prefix for markers and state paths (default "fl"). */
  prefix?: string;
  /** How the clock nemesis skews a host (default none: the nemesis reports it cannot). */
  clock?: SshClockMode;
  connectTimeoutMs?: number;
  /** Where the takeover of a vanished controller's prefix is reported (default: stderr). */
  log?: (line: string) => void;
}

export interface SshCluster extends Cluster {
  remote(node: string): SshRemote;
}

/** Removes our chains, kills our marked processes (daemons, delay helpers) and removes the work directory on one host. */
export async function cleanupHost(remote: Remote, prefix: string): Promise<void> {
  const script = [
    iptablesUnhook('filter', PART_CHAIN, 'INPUT'),
    iptablesUnhook('filter', LOSS_CHAIN, 'INPUT'),
    iptablesUnhook('mangle', DUP_CHAIN, 'POSTROUTING'),
    iptablesUnhook('filter', DELAY_CHAIN, 'INPUT'),
    `pids=$(${markedPidsScript(prefix)})`,
    `[ -n "$pids" ] && kill -s KILL $pids 2>/dev/null`,
    `rm -rf ${shellQuote(defaultWorkDir(prefix))}`,
    'true',
  ].join('; ');
  await remote.exec(['sh', '-c', script]);
  // Fault filesystems of the run (disk nemeses) go too; the data under them stays.
  const faultfs = await cleanupFaultFs(remote, prefix);
  if (faultfs.problems.length > 0) throw new Error(`cannot unmount fault filesystems: ${faultfs.problems.join('; ')}`);
}

/** The prefixes a host shows signs of: lock records and marked processes. */
async function hostPrefixes(remote: Remote): Promise<string[]> {
  const script = [
    `ls ${shellQuote(HOST_LOCK_DIR)} 2>/dev/null | sed -n 's/^ssh-\\(.*\\)\\.json$/\\1/p'`,
    `grep -zh ${shellQuote(`^${RUN_VAR}=`)} /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | sed ${shellQuote(`s/^${RUN_VAR}=//`)}`,
    'true',
  ].join('; ');
  const r = await remote.exec(['sh', '-c', script]);
  return [...new Set(r.stdout.split('\n').filter((p) => /^[a-z][a-z0-9]{0,9}$/.test(p)))].sort();
}

/** What `cleanupDeadHosts` did on each host. */
export interface HostCleanupReport {
  prefix: string;
  /** Hosts cleaned. */
  cleaned: string[];
  /** Hosts left alone because a live controller holds the prefix there, each with who. */
  left: string[];
  problems: string[];
}

/**
 * `faultline cleanup --inventory`: on each host, takes the prefix (one host at a time), removes
 * what a run left there and gives it back; a host where a live controller holds the prefix is
 * left alone and named.
 */
export async function cleanupDeadHosts(inv: Inventory, prefix: string, log: (line: string) => void = logToStderr): Promise<HostCleanupReport> {
  const report: HostCleanupReport = { prefix, cleaned: [], left: [], problems: [] };
  for (const n of inv.nodes) {
    const remote = new SshRemote(sshTarget(inv, n, prefix));
    try {
      let locks: HostLocks;
      try {
        locks = await lockHosts([remote], prefix, { log });
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        report.left.push(e.message);
        continue;
      }
      try {
        await cleanupHost(remote, prefix);
        report.cleaned.push(n.name);
      } finally {
        await locks.release();
      }
    } catch (e) {
      report.problems.push(`${n.name}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      await remote.close();
    }
  }
  return report;
}

/**
 * `faultline cleanup --inventory`: the prefix given, or else every prefix the hosts show signs of,
 * each cleaned on the hosts where no live controller holds it.
 */
export async function cleanupInventory(inv: Inventory, prefix?: string, log: (line: string) => void = logToStderr): Promise<HostCleanupReport[]> {
  let prefixes = prefix !== undefined ? [prefix] : [];
  if (prefix === undefined) {
    const found = new Set<string>();
    for (const n of inv.nodes) {
      // The prefix of this connection only marks daemons it starts, and it starts none.
      const remote = new SshRemote(sshTarget(inv, n, DEFAULT_PREFIX));
      try {
        for (const p of await hostPrefixes(remote)) found.add(p);
      } finally {
        await remote.close();
      }
    }
    prefixes = [...found].sort();
  }
  const reports: HostCleanupReport[] = [];
  for (const p of prefixes) reports.push(await cleanupDeadHosts(inv, p, log));
  return reports;
}

export function sshProvider(o: SshProviderOptions): Provider & { readonly nodes: readonly string[] } {
  const prefix = o.prefix ?? DEFAULT_PREFIX;
  checkPrefix(prefix);
  const inv = o.inventory;
  const log = o.log ?? logToStderr;
  let remotes = new Map<string, SshRemote>();
  let lock: RunLock | undefined;
  let hostLocks: HostLocks | undefined;
  const closeAll = async (): Promise<void> => {
    await hostLocks?.release();
    hostLocks = undefined;
    await Promise.all([...remotes.values()].map((r) => r.close()));
    await lock?.release();
    lock = undefined;
  };

  const makeRemotes = (clock: HostClock | undefined) =>
    new Map(
      inv.nodes.map((n) => [
        n.name,
        new SshRemote({
          ...sshTarget(inv, n, prefix),
          ...(clock ? { daemonEnv: clock.clockEnv() } : {}),
          ...(o.connectTimeoutMs ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
        }),
      ]),
    );

  return {
    name: 'ssh',
    nodes: inv.nodes.map((n) => n.name),
    async up(): Promise<SshCluster> {
      const names = inv.nodes.map((n) => n.name);
      const remote = (node: string): SshRemote => {
        const r = remotes.get(node);
        if (!r) throw new FaultlineError('E_USAGE', `unknown node ${JSON.stringify(node)} (nodes: ${names.join(', ')})`);
        return r;
      };
      const fakeClock = o.clock === 'faketime' ? new HostClock(`${defaultWorkDir(prefix)}/clock`, names, remote) : undefined;
      lock = await acquireRunLock({ prefix, provider: 'ssh', prefixOption: '--opt ssh.prefix' }, { log });
      remotes = makeRemotes(fakeClock);
      let wallClock: HostWallClock | undefined;
      try {
        hostLocks = await lockHosts([...remotes.values()], prefix, { log });
        const results = await Promise.allSettled(inv.nodes.map((n) => cleanupHost(remote(n.name), prefix)));
        const bad = results.flatMap((r, i) => (r.status === 'rejected' ? [`${inv.nodes[i]?.name}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
        if (bad.length > 0) throw new FaultlineError('E_SSH', `cannot prepare ssh hosts: ${bad.join('; ')}`);
        if (fakeClock) for (const n of names) await fakeClock.setOffset(n, 0);
        wallClock = o.clock === 'host' ? new HostWallClock(names, remote) : undefined;
        await wallClock?.prepare();
      } catch (e) {
        await closeAll();
        throw e;
      }
      const clock = fakeClock ?? wallClock;
      return {
        nodes: inv.nodes.map((n) => ({ name: n.name, address: n.address })),
        remote,
        net: new HostNetFaults(inv.nodes, remote),
        nodeControl: new HostNodeControl(prefix, remote),
        ...(clock ? { clock } : {}),
        diskHost: (node: string) => ({ host: remote(node), tag: `${prefix}:${node}` }),
      };
    },
    async down(): Promise<void> {
      const all = lock ? [...remotes.values()] : [];
      const results = await Promise.allSettled(all.map((r) => cleanupHost(r, prefix)));
      await closeAll();
      const bad = results.flatMap((r, i) => (r.status === 'rejected' ? [`${all[i]?.node}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
      if (bad.length > 0) throw new FaultlineError('E_SSH', `ssh cleanup failed: ${bad.join('; ')}`);
    },
  };
}
