/**
 * The `docker` provider: N nodes (n1..nN) as containers on a labelled user-defined bridge network
 * with fixed addresses (gateway .1, node i at .(10+i)), each with NET_ADMIN and a control sidecar
 * that shares its pid and network namespaces. Commands run through the engine API (DockerRemote).
 * Partitions and packet faults are iptables/tc rules inside the nodes' namespaces, matched on
 * addresses (HostNetFaults, applied from the sidecars so a paused node can still be cut off);
 * pause is `docker pause`; kill SIGKILLs the node's marked processes; clock skew uses the image's
 * libfaketime and is offered only when the image has it.
 *
 * The reference stores are this project's TypeScript programs run by the controller's own Node.js:
 * the provider bind-mounts the Node.js binary and the project read-only at their host paths, so a
 * container runs exactly the code and runtime under test without rebuilding the image (Debian's
 * nodejs is 18, too old). The results directory is bind-mounted read-write at its host path, so
 * node logs and data land in the run directory as they do with the local provider. The
 * controller's tsx compile cache is shared with the containers (as local nodes share it), so
 * store processes start in about a second instead of recompiling the project in every node.
 * The controller reaches the nodes through the network's bridge, so the engine must run on the
 * controller's machine (a local socket, not a remote DOCKER_HOST).
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { UsageError } from '../../core/errors.ts';
import { PACKAGE_ROOT } from '../../code-paths.ts';
import type { Cluster, NodeInfo, Provider } from '../../core/provider.ts';
import type { Remote } from '../../core/remote.ts';
import { DockerRemote, engineMessage } from '../../control/docker.ts';
import { run } from '../../control/run.ts';
import { HostNetFaults } from '../../net/host-faults.ts';
import { LIBFAKETIME } from '../local/clock.ts';
import { DEFAULT_PREFIX, MAX_NODES, checkPrefix, parseSubnet } from '../local/layout.ts';
import { cidrOverlap } from '../local/topology.ts';
import { HostClock } from '../ssh/host-control.ts';
import { type RunLock, type RunLockRequest, acquireRunLock, refuseIfHeld } from '../run-lock.ts';
import { NODE_LABEL, PREFIX_LABEL, ROLE_LABEL, cleanupDocker } from './cleanup.ts';
import { DockerNodeControl } from './node-control.ts';

export const DEFAULT_DOCKER_SUBNET = '10.214.0.0/24';
export const DEFAULT_DOCKER_IMAGE = 'faultline/node:latest';

/** The controller's tsx cache directory, created when missing, and where nodes (root, /tmp) look for it. */
function tsxCacheBind(): string {
  const host = path.join(tmpdir(), `tsx-${process.getuid?.() ?? 0}`);
  mkdirSync(host, { recursive: true });
  return `${host}:/tmp/tsx-0`;
}

export interface DockerProviderOptions {
  /** Number of nodes (default 5). */
  nodes?: number;
  /** Run prefix for container, network and label names (default "fl"). */
  prefix?: string;
  /** A private /24 (default 10.214.0.0/24). */
  subnet?: string;
  /** The node image (default faultline/node:latest, built by docker/build-images.sh). */
  image?: string;
  /** Host directories mounted read-write at the same path in every node (the results directory). */
  shared?: readonly string[];
  /** The engine's unix socket (default: DOCKER_HOST, else /var/run/docker.sock). */
  socketPath?: string;
  /** Start daemons under the image's libfaketime (default: when the image has it). */
  fakeClock?: boolean;
  /** Where the takeover of a dead run's prefix or subnet is reported (default: stderr). */
  log?: (line: string) => void;
}

export interface DockerCluster extends Cluster {
  readonly net: HostNetFaults;
  readonly nodeControl: DockerNodeControl;
  /** The Remote of a node's control sidecar (same pid and network namespaces). */
  ctl(node: string): Remote;
}

/** Where dockerode will connect, for messages. */
export function engineEndpoint(socketPath?: string): string {
  return socketPath ?? process.env['DOCKER_HOST'] ?? '/var/run/docker.sock';
}

export function dockerClient(socketPath?: string): Docker {
  return socketPath ? new Docker({ socketPath }) : new Docker();
}

/** Pings the engine; a one-line UsageError with the fix when it does not answer. */
export async function requireEngine(docker: Docker, socketPath?: string): Promise<void> {
  try {
    await docker.ping();
  } catch (e) {
    throw new UsageError(
      `cannot reach the Docker engine at ${engineEndpoint(socketPath)} (${engineMessage(e)}): start it with docker/start-dockerd.sh, or set DOCKER_HOST`,
    );
  }
}

/** A one-line UsageError naming the build script when the image is missing. */
export async function requireImage(docker: Docker, image: string): Promise<void> {
  try {
    await docker.getImage(image).inspect();
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) {
      throw new UsageError(`docker image ${image} is missing: build it with docker/build-images.sh (no registry needed), or pass --opt docker.image=<image>`);
    }
    throw new UsageError(`cannot inspect docker image ${image}: ${engineMessage(e)}`);
  }
}

/** Refuses a subnet another docker network or a host route already uses (this run's own leftovers aside). */
async function requireFreeSubnet(docker: Docker, cidr: string, prefix: string): Promise<void> {
  for (const n of await docker.listNetworks()) {
    if (n.Labels?.[PREFIX_LABEL] === prefix) continue;
    for (const c of n.IPAM?.Config ?? []) {
      if (c.Subnet && cidrOverlap(c.Subnet, cidr)) {
        throw new UsageError(`subnet ${cidr} is already used by docker network ${n.Name} (${c.Subnet}): pass --opt docker.subnet=<another private /24>, or remove that network`);
      }
    }
  }
  // Without iproute2 on the controller only the docker networks are checked; the engine refuses the rest.
  const r = await run(['ip', '-j', '-4', 'route', 'show', 'table', 'all'], { check: false }).catch(() => ({ stdout: '' }));
  const routes = JSON.parse(r.stdout || '[]') as { dst?: string; dev?: string; type?: string }[];
  for (const route of routes) {
    if (!route.dst || route.dst === 'default' || route.dev === `${prefix}-br` || (route.type && route.type !== 'unicast')) continue;
    if (cidrOverlap(route.dst, cidr)) {
      throw new UsageError(`subnet ${cidr} is already routed via ${route.dev ?? '?'} (${route.dst}): pass --opt docker.subnet=<another private /24>`);
    }
  }
}

export interface DockerProvider extends Provider {
  readonly prefix: string;
  readonly nodes: readonly NodeInfo[];
  /** Checks engine, image, subnet and that no live run holds the prefix or subnet, without creating anything; one-line UsageErrors with the fix. */
  preflight(): Promise<void>;
}

export function dockerProvider(o: DockerProviderOptions = {}): DockerProvider {
  const prefix = o.prefix ?? DEFAULT_PREFIX;
  checkPrefix(prefix);
  const net24 = parseSubnet(o.subnet ?? DEFAULT_DOCKER_SUBNET);
  const cidr = `${net24}.0/24`;
  const count = o.nodes ?? 5;
  if (!Number.isInteger(count) || count < 1 || count > MAX_NODES) throw new UsageError(`bad node count ${count}: use 1..${MAX_NODES}`);
  const image = o.image ?? DEFAULT_DOCKER_IMAGE;
  const nodes: NodeInfo[] = Array.from({ length: count }, (_, i) => ({ name: `n${i + 1}`, address: `${net24}.${11 + i}` }));
  const docker = dockerClient(o.socketPath);
  const netName = `${prefix}-net`;
  const containerName = (node: string): string => `${prefix}-${node}`;
  const lockRequest: RunLockRequest = { prefix, subnet: cidr, provider: 'docker', prefixOption: '--opt docker.prefix', subnetOption: '--opt docker.subnet' };
  let lock: RunLock | undefined;
  const giveBack = async (): Promise<void> => {
    await lock?.release();
    lock = undefined;
  };

  const labels = (node: string | undefined, role: string): Record<string, string> => ({
    [PREFIX_LABEL]: prefix,
    [ROLE_LABEL]: role,
    ...(node ? { [NODE_LABEL]: node } : {}),
  });

  async function createNode(n: NodeInfo): Promise<void> {
    const binds = [`${PACKAGE_ROOT}:${PACKAGE_ROOT}:ro`, `${process.execPath}:${process.execPath}:ro`, tsxCacheBind(), ...(o.shared ?? []).map((d) => `${d}:${d}`)];
    const node = await docker.createContainer({
      name: containerName(n.name),
      Image: image,
      Hostname: n.name,
      Cmd: ['sleep', 'infinity'],
      Labels: labels(n.name, 'node'),
      HostConfig: { CapAdd: ['NET_ADMIN'], NetworkMode: netName, Init: true, Binds: binds },
      NetworkingConfig: { EndpointsConfig: { [netName]: { IPAMConfig: { IPv4Address: n.address } } } },
    });
    await node.start();
    const ctl = await docker.createContainer({
      name: `${containerName(n.name)}-ctl`,
      Image: image,
      Cmd: ['sleep', 'infinity'],
      Labels: labels(n.name, 'ctl'),
      HostConfig: { CapAdd: ['NET_ADMIN'], NetworkMode: `container:${node.id}`, PidMode: `container:${node.id}` },
    });
    await ctl.start();
  }

  async function bringUp(): Promise<DockerCluster> {
    await docker.createNetwork({
      Name: netName,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: labels(undefined, 'network'),
      Options: { 'com.docker.network.bridge.name': `${prefix}-br` },
      IPAM: { Driver: 'default', Config: [{ Subnet: cidr, Gateway: `${net24}.1` }] },
    }).catch((e: unknown) => {
      throw new UsageError(`cannot create docker network ${netName} on ${cidr}: ${engineMessage(e)}; pass --opt docker.subnet=<another private /24>`);
    });
    await Promise.all(nodes.map(createNode));
    const names = nodes.map((n) => n.name);
    const known = (node: string): void => {
      if (!names.includes(node)) throw new UsageError(`unknown node ${JSON.stringify(node)} (nodes: ${names.join(', ')})`);
    };
    const ctls = new Map(names.map((n) => [n, new DockerRemote({ docker, container: `${containerName(n)}-ctl`, node: n, prefix })]));
    const ctl = (node: string): Remote => {
      known(node);
      return ctls.get(node) as Remote;
    };
    const probe = ctl(names[0] as string);
    const hasFaketime = (await probe.exec(['test', '-e', LIBFAKETIME], { check: false })).exitCode === 0;
    if (o.fakeClock && !hasFaketime) throw new UsageError(`fake clock requested but image ${image} has no libfaketime: rebuild it with docker/build-images.sh`);
    const remotes = new Map<string, DockerRemote>();
    const remote = (node: string): Remote => {
      known(node);
      return remotes.get(node) as Remote;
    };
    const clock = (o.fakeClock ?? hasFaketime) ? new HostClock(`/tmp/faultline-${prefix}/clock`, names, remote) : undefined;
    for (const n of names) {
      remotes.set(n, new DockerRemote({ docker, container: containerName(n), node: n, prefix, ...(clock ? { daemonEnv: clock.clockEnv() } : {}) }));
    }
    if (clock) for (const n of names) await clock.setOffset(n, 0);
    return {
      nodes,
      remote,
      ctl,
      net: new HostNetFaults(nodes, ctl),
      nodeControl: new DockerNodeControl(docker, prefix, containerName, ctl),
      ...(clock ? { clock } : {}),
    };
  }

  return {
    name: 'docker',
    prefix,
    nodes,
    async preflight(): Promise<void> {
      await refuseIfHeld(lockRequest);
      await requireEngine(docker, o.socketPath);
      await requireImage(docker, image);
      await requireFreeSubnet(docker, cidr, prefix);
    },
    async up(): Promise<Cluster> {
      await this.preflight();
      lock = await acquireRunLock(lockRequest, o.log ? { log: o.log } : {});
      try {
        const stale = await cleanupDocker(docker, prefix);
        if (stale.problems.length > 0) throw new UsageError(`cannot remove what an earlier docker run ${prefix} left: ${stale.problems.join('; ')}`);
        return await bringUp();
      } catch (e) {
        await cleanupDocker(docker, prefix).catch(() => undefined);
        await giveBack();
        throw e;
      }
    },
    async down(): Promise<void> {
      if (!lock) return;
      try {
        const report = await cleanupDocker(docker, prefix);
        if (report.problems.length > 0) throw new Error(`docker cleanup of run ${prefix} left: ${report.problems.join('; ')}`);
      } finally {
        await giveBack();
      }
    },
  };
}
