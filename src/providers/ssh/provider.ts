/**
 * The `ssh` provider: a cluster of real hosts from an inventory, reached with ssh2 (key auth,
 * host keys checked, one reused connection per host, sudo when not root). `up` checks every host
 * answers and removes leftovers of an earlier run with the same prefix (our iptables chains and
 * tc qdiscs, marked processes); `down` does the same and closes the connections. Network faults
 * are per-host iptables/tc rules in chains of our own; pause is SIGSTOP. The clock nemesis works
 * in one of two ways: `faketime`, daemons follow a libfaketime offset file on their host; `host`,
 * the hosts' own wall clocks are stepped (only on machines of their own, see host-wall-clock.ts).
 */
import { FaultlineError } from '../../core/errors.ts';
import type { Cluster, Provider } from '../../core/provider.ts';
import type { Remote } from '../../core/remote.ts';
import { SshRemote } from '../../control/ssh.ts';
import { HostNetFaults } from '../../net/host-faults.ts';
import { DELAY_CHAIN, DUP_CHAIN, LOSS_CHAIN, PART_CHAIN, iptablesUnhook } from '../../net/rules.ts';
import { checkPrefix } from '../local/layout.ts';
import { HostClock, HostNodeControl, markedPidsScript } from './host-control.ts';
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
}

export interface SshCluster extends Cluster {
  remote(node: string): SshRemote;
}

/** Removes our chains and kills our marked processes (daemons, delay helpers) on one host. */
export async function cleanupHost(remote: Remote, prefix: string): Promise<void> {
  const script = [
    iptablesUnhook('filter', PART_CHAIN, 'INPUT'),
    iptablesUnhook('filter', LOSS_CHAIN, 'INPUT'),
    iptablesUnhook('mangle', DUP_CHAIN, 'POSTROUTING'),
    iptablesUnhook('filter', DELAY_CHAIN, 'INPUT'),
    `pids=$(${markedPidsScript(prefix)})`,
    `[ -n "$pids" ] && kill -s KILL $pids 2>/dev/null`,
    'true',
  ].join('; ');
  await remote.exec(['sh', '-c', script]);
  // Fault filesystems of the run (disk nemeses) go too; the data under them stays.
  const faultfs = await cleanupFaultFs(remote, prefix);
  if (faultfs.problems.length > 0) throw new Error(`cannot unmount fault filesystems: ${faultfs.problems.join('; ')}`);
}

export function sshProvider(o: SshProviderOptions): Provider & { readonly nodes: readonly string[] } {
  const prefix = o.prefix ?? 'fl';
  checkPrefix(prefix);
  const inv = o.inventory;
  let remotes = new Map<string, SshRemote>();

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
      const fakeClock = o.clock === 'faketime' ? new HostClock(`/tmp/faultline-${prefix}/clock`, names, remote) : undefined;
      remotes = makeRemotes(fakeClock);
      const results = await Promise.allSettled(inv.nodes.map((n) => cleanupHost(remote(n.name), prefix)));
      const bad = results.flatMap((r, i) => (r.status === 'rejected' ? [`${inv.nodes[i]?.name}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
      if (bad.length > 0) {
        await Promise.all([...remotes.values()].map((r) => r.close()));
        throw new FaultlineError('E_SSH', `cannot prepare ssh hosts: ${bad.join('; ')}`);
      }
      if (fakeClock) for (const n of names) await fakeClock.setOffset(n, 0);
      const wallClock = o.clock === 'host' ? new HostWallClock(names, remote) : undefined;
      if (wallClock) {
        try {
          await wallClock.prepare();
        } catch (e) {
          await Promise.all([...remotes.values()].map((r) => r.close()));
          throw e;
        }
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
      const all = [...remotes.values()];
      const results = await Promise.allSettled(all.map((r) => cleanupHost(r, prefix)));
      await Promise.all(all.map((r) => r.close()));
      const bad = results.flatMap((r, i) => (r.status === 'rejected' ? [`${all[i]?.node}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`] : []));
      if (bad.length > 0) throw new FaultlineError('E_SSH', `ssh cleanup failed: ${bad.join('; ')}`);
    },
  };
}
