/**
 * `faultline doctor --provider docker`: is the engine reachable, which API version it speaks,
 * whether the images exist, whether the default subnet is free, and which faults work, measured
 * in one throwaway labelled container of the node image (no network of its own): iptables
 * chains with DROP / statistic / TEE / NFQUEUE, tc htb, a C compiler with the netfilter-queue
 * headers for the delay helper, docker pause, libfaketime.
 */
import type Docker from 'dockerode';
import { DockerRemote, engineMessage } from '../../control/docker.ts';
import type { Check, DoctorReport, FaultVerdict } from '../doctor.ts';
import { LIBFAKETIME } from '../local/clock.ts';
import { cidrOverlap } from '../local/topology.ts';
import { PREFIX_LABEL, ROLE_LABEL, cleanupDocker } from './cleanup.ts';
import { DEFAULT_DOCKER_IMAGE, DEFAULT_DOCKER_SUBNET, dockerClient, engineEndpoint } from './provider.ts';

export const BASE_IMAGE = 'faultline/debian:bookworm';
const PROBE_PREFIX = 'fldoctor';
const BUILD = 'docker/build-images.sh';

/** Probes run inside the probe container: name -> shell script that exits 0 when the feature works. */
const PROBES: Readonly<Record<string, string>> = {
  iptables: 'iptables -w -N FLDOC && iptables -w -A FLDOC -s 192.0.2.1/32 -j DROP && iptables -w -I INPUT -j FLDOC',
  statistic: 'iptables -w -A FLDOC -s 192.0.2.2/32 -m statistic --mode random --probability 0.5 -j DROP',
  tee: 'iptables -w -t mangle -A POSTROUTING -d 192.0.2.3/32 -m statistic --mode random --probability 0.1 -j TEE --gateway 192.0.2.3',
  htb: 'tc qdisc add dev lo root handle 1: htb default 1',
  nfqueue:
    'iptables -w -A FLDOC -s 192.0.2.4/32 -j NFQUEUE --queue-num 17000 --queue-bypass && command -v cc >/dev/null && ' +
    'test -e /usr/include/libnetfilter_queue/libnetfilter_queue.h',
  libfaketime: `test -e ${LIBFAKETIME}`,
};

async function probeContainer(docker: Docker, image: string): Promise<{ results: Map<string, string | undefined>; pause: string | undefined }> {
  const results = new Map<string, string | undefined>();
  const name = `${PROBE_PREFIX}-probe`;
  await cleanupDocker(docker, PROBE_PREFIX);
  try {
    const c = await docker.createContainer({
      name,
      Image: image,
      Cmd: ['sleep', 'infinity'],
      Labels: { [PREFIX_LABEL]: PROBE_PREFIX, [ROLE_LABEL]: 'doctor' },
      HostConfig: { CapAdd: ['NET_ADMIN'], NetworkMode: 'none', Init: true },
    });
    await c.start();
    const remote = new DockerRemote({ docker, container: name, node: 'probe', prefix: PROBE_PREFIX });
    for (const [what, script] of Object.entries(PROBES)) {
      const r = await remote.exec(['sh', '-c', script], { check: false, timeoutMs: 10_000 });
      results.set(what, r.exitCode === 0 ? undefined : r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`);
    }
    let pause: string | undefined;
    try {
      await c.pause();
      await c.unpause();
    } catch (e) {
      pause = engineMessage(e);
    }
    return { results, pause };
  } finally {
    await cleanupDocker(docker, PROBE_PREFIX);
  }
}

export async function runDockerDoctor(opts: { socketPath?: string; image?: string } = {}): Promise<DoctorReport> {
  const docker = dockerClient(opts.socketPath);
  const image = opts.image ?? DEFAULT_DOCKER_IMAGE;
  const checks: Check[] = [];
  const faults: FaultVerdict[] = [];
  const endpoint = engineEndpoint(opts.socketPath);
  let version: Awaited<ReturnType<Docker['version']>> | undefined;
  try {
    version = await docker.version();
    checks.push({ name: 'engine', ok: true, detail: `reachable at ${endpoint}: Docker ${version.Version}` });
    checks.push({ name: 'api version', ok: true, detail: `${version.ApiVersion} (minimum ${version.MinAPIVersion ?? '?'})` });
  } catch (e) {
    checks.push({ name: 'engine', ok: false, detail: `cannot reach ${endpoint}: ${engineMessage(e)}`, fix: 'docker/start-dockerd.sh (apt-get install docker.io), or set DOCKER_HOST' });
  }
  let probed: Awaited<ReturnType<typeof probeContainer>> | undefined;
  if (version) {
    for (const img of [BASE_IMAGE, image]) {
      const present = await docker.getImage(img).inspect().then(() => true, () => false);
      checks.push({ name: img === image ? 'node image' : 'base image', ok: present, detail: `${img} ${present ? 'present' : 'missing'}`, fix: BUILD });
    }
    const used = (await docker.listNetworks()).filter((n) => n.Labels?.[PREFIX_LABEL] === undefined && (n.IPAM?.Config ?? []).some((c) => c.Subnet !== undefined && cidrOverlap(c.Subnet, DEFAULT_DOCKER_SUBNET)));
    checks.push({
      name: 'subnet',
      ok: used.length === 0,
      detail: used.length === 0 ? `default ${DEFAULT_DOCKER_SUBNET} not used by other docker networks` : `${DEFAULT_DOCKER_SUBNET} used by ${used.map((n) => n.Name).join(', ')}`,
      fix: '--opt docker.subnet=<another private /24>',
    });
    if (checks.every((c) => c.ok)) probed = await probeContainer(docker, image);
  }
  const verdict = (fault: string, mechanism: string, problem: string | undefined, fix?: string): FaultVerdict =>
    problem === undefined ? { fault, status: 'works', mechanism } : { fault, status: 'unavailable', mechanism, reason: problem, ...(fix ? { fix } : {}) };
  const notProbed = version ? 'not probed: fix the failed checks first' : 'no Docker engine';
  const res = (what: string): string | undefined => (probed ? probed.results.get(what) : notProbed);
  faults.push(
    verdict('partition', 'iptables DROP chain in each node, matched on addresses (from the node\'s control sidecar)', res('iptables'), `rebuild the image (${BUILD}); containers need NET_ADMIN`),
    verdict('loss', 'iptables statistic chain in each receiving node', res('statistic'), BUILD),
    verdict('duplicate', 'iptables TEE in each sending node', res('tee'), 'a kernel with xt_TEE'),
    verdict('rate', 'tc htb per destination in the sending node', res('htb'), BUILD),
    res('nfqueue') === undefined
      ? { fault: 'delay', status: 'fallback', mechanism: 'NFQUEUE delay helper built in each receiving node', reason: 'no netem in this kernel; userspace delayer' }
      : verdict('delay', 'NFQUEUE delay helper built in each receiving node', res('nfqueue'), BUILD),
    verdict('pause', 'docker pause (cgroup freezer of the container)', probed ? probed.pause : notProbed),
    verdict('kill', 'SIGKILL of the node\'s marked processes from its control sidecar', probed ? undefined : notProbed),
    verdict('clock', 'libfaketime offset file per node (libc and Node DBs; Go DBs such as etcd ignore it, so clock is refused for them)', res('libfaketime'), BUILD),
  );
  return { checks, faults };
}
