/**
 * The `local` provider: N nodes (n1..nN) in their own network namespaces behind a switch
 * namespace, reachable from the controller through one veth, each with its own cgroup, fake-clock
 * file and marked processes. `up` first takes the run's prefix and subnet (refused while another
 * live run holds either), then cleans up whatever a crashed run with the same prefix left behind,
 * and cleans up again if it fails half-way; `down` is the same cleanup (work directory included)
 * and gives the prefix and subnet back. A provider that never got them removes nothing.
 */
import path from 'node:path';
import { UsageError } from '../../core/errors.ts';
import type { Cluster, NodeInfo, Provider } from '../../core/provider.ts';
import type { Remote } from '../../core/remote.ts';
import { LocalRemote } from '../../control/local.ts';
import { run } from '../../control/run.ts';
import { SwitchNetFaults } from '../../net/switch-faults.ts';
import { createNodeGroups, findCgroupRoot, nodeDir } from './cgroups.ts';
import { cleanupRun, registerRun } from './cleanup.ts';
import { FileClock, hasLibfaketime } from './clock.ts';
import { type LocalLayout, defaultWorkDir, localLayout } from './layout.ts';
import { type RunLock, type RunLockRequest, acquireRunLock, refuseIfHeld } from '../run-lock.ts';
import { LocalNodeControl } from './node-control.ts';
import { buildTopology, checkRouteConflicts } from './topology.ts';
import { requireRoot } from '../root.ts';
import { CONTROLLER_HOST } from '../../control/host-build.ts';

export interface LocalProviderOptions {
  /** Run prefix for every name (default "fl"); two runs with different prefixes and subnets coexist. */
  prefix?: string;
  /** A private /24 (default 10.213.0.0/24): controller .1, node i at .(10+i). */
  subnet?: string;
  /** Number of nodes (default 5). */
  nodes?: number;
  /** Where node logs, clock files and helper logs go (default /tmp/faultline-<prefix>). */
  workDir?: string;
  /** Start daemons under libfaketime with a per-node offset file (default: when installed). */
  fakeClock?: boolean;
  /** Where the takeover of a dead run's prefix or subnet is reported (default: stderr). */
  log?: (line: string) => void;
}

/** The switch namespace's pseudo node name (for its Remote and cgroup). */
export const SWITCH_NODE = 'sw';

export interface LocalCluster extends Cluster {
  readonly net: SwitchNetFaults;
  readonly layout: LocalLayout;
  readonly workDir: string;
  /** A Remote inside the switch namespace (used by the network faults). */
  readonly switchRemote: Remote;
}

export interface LocalProvider extends Provider {
  readonly layout: LocalLayout;
  /** Refuses, before anything is set up, what cannot work: no root, or the prefix or subnet held by a live run. */
  preflight(): Promise<void>;
}

export function localProvider(opts: LocalProviderOptions = {}): LocalProvider {
  const layout = localLayout(opts);
  const workDir = opts.workDir ?? defaultWorkDir(layout.prefix);
  const lockRequest: RunLockRequest = { prefix: layout.prefix, subnet: layout.cidr, provider: 'local', workDir, prefixOption: '--opt local.prefix', subnetOption: '--opt local.subnet' };
  let lock: RunLock | undefined;
  let cluster: LocalCluster | undefined;

  const giveBack = async (): Promise<void> => {
    await lock?.release();
    lock = undefined;
  };

  return {
    name: 'local',
    layout,
    async preflight(): Promise<void> {
      requireRoot('the local provider');
      await refuseIfHeld(lockRequest);
    },
    async up(): Promise<Cluster> {
      requireRoot('the local provider');
      await run(['ip', '-V']).catch(() => {
        throw new UsageError('the local provider needs the `ip` command (apt-get install iproute2)');
      });
      lock = await acquireRunLock(lockRequest, opts.log ? { log: opts.log } : {});
      try {
        await cleanupRun(layout.prefix, { workDir });
        await checkRouteConflicts(layout);
        await registerRun({ prefix: layout.prefix, subnet: layout.cidr, nodes: layout.nodes.length, controllerPid: process.pid, workDir });
        cluster = await bringUp(layout, workDir, opts.fakeClock);
        return cluster;
      } catch (e) {
        try {
          await cleanupRun(layout.prefix, { workDir });
        } finally {
          await giveBack();
        }
        throw e;
      }
    },
    async down(): Promise<void> {
      if (cluster) {
        for (const n of cluster.nodes) await cluster.remote(n.name).close();
        cluster.net.close();
        cluster = undefined;
      }
      if (!lock) return;
      try {
        const report = await cleanupRun(layout.prefix, { workDir });
        if (report.problems.length > 0) throw new Error(`cleanup of run ${layout.prefix} left: ${report.problems.join('; ')}`);
      } finally {
        await giveBack();
      }
    },
  };
}

async function bringUp(layout: LocalLayout, workDir: string, fakeClock: boolean | undefined): Promise<LocalCluster> {
  await buildTopology(layout);
  const root = await findCgroupRoot();
  const names = layout.nodes.map((n) => n.name);
  if (root) await createNodeGroups(root, layout.prefix, [...names, SWITCH_NODE]);
  const useClock = fakeClock ?? (await hasLibfaketime());
  if (useClock && !(await hasLibfaketime())) throw new UsageError('fake clock requested but libfaketime is missing (apt-get install libfaketime)');
  const clock = useClock ? new FileClock(path.join(workDir, 'clock'), names) : undefined;
  await clock?.init();

  const remotes = new Map<string, LocalRemote>();
  for (const n of layout.nodes) {
    remotes.set(
      n.name,
      new LocalRemote({
        node: n.name,
        netns: n.netns,
        prefix: layout.prefix,
        ...(root ? { cgroupDir: nodeDir(root, layout.prefix, n.name) } : {}),
        ...(clock ? { daemonEnv: clock.daemonEnv(n.name) } : {}),
      }),
    );
  }
  const switchRemote = new LocalRemote({
    node: SWITCH_NODE,
    netns: layout.switchNs,
    prefix: layout.prefix,
    ...(root ? { cgroupDir: nodeDir(root, layout.prefix, SWITCH_NODE) } : {}),
  });
  const remote = (node: string): Remote => {
    const r = remotes.get(node);
    if (!r) throw new UsageError(`unknown node ${JSON.stringify(node)} (nodes: ${names.join(', ')})`);
    return r;
  };
  const nodes: NodeInfo[] = layout.nodes.map((n) => ({ name: n.name, address: n.address }));
  const net = new SwitchNetFaults({
    nodes: layout.nodes,
    switchNs: layout.switchNs,
    prefix: layout.prefix,
    switchRemote,
    nodeRemote: remote,
    logDir: path.join(workDir, 'logs'),
    regionClients: { link: layout.ctlLink, addresses: layout.regionClientAddresses },
  });
  await net.warm();
  return {
    nodes,
    layout,
    workDir,
    switchRemote,
    remote,
    net,
    nodeControl: new LocalNodeControl(root, layout.prefix, names),
    ...(clock ? { clock } : {}),
    // Node processes start in a copy of the controller's mount table: mount there, before the DB starts.
    diskHost: (node: string) => ({ host: CONTROLLER_HOST, tag: `${layout.prefix}:${remote(node).node}` }),
    clientAddress: (node: string) => net.clientAddress(node),
  };
}
