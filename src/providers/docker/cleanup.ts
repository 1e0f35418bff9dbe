/**
 * Finds and removes what the docker provider created, by label only (never by name): containers
 * (node containers and their control sidecars), networks and volumes labelled
 * `faultline.prefix=<prefix>`, or every prefix when none is given. Safe after a crashed run.
 */
import type Docker from 'dockerode';
import { engineMessage } from '../../control/docker.ts';

export const PREFIX_LABEL = 'faultline.prefix';
export const NODE_LABEL = 'faultline.node';
export const ROLE_LABEL = 'faultline.role';

export interface DockerCleanupReport {
  prefix: string | null;
  containers: string[];
  networks: string[];
  volumes: string[];
  problems: string[];
}

function labelFilter(prefix: string | undefined): string {
  return JSON.stringify({ label: [prefix === undefined ? PREFIX_LABEL : `${PREFIX_LABEL}=${prefix}`] });
}

/** The prefixes that have anything labelled, sorted. */
export async function dockerPrefixes(docker: Docker): Promise<string[]> {
  const filters = labelFilter(undefined);
  const [cs, ns, vs] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters }), docker.listVolumes({ filters })]);
  const labels = [...cs.map((c) => c.Labels), ...ns.map((n) => n.Labels ?? {}), ...(vs.Volumes ?? []).map((v) => v.Labels ?? {})];
  return [...new Set(labels.map((l) => l[PREFIX_LABEL]).filter((p): p is string => p !== undefined))].sort();
}

/** Everything still labelled for the prefix (or any prefix): "container n", "network x", ... */
export async function dockerLeftovers(docker: Docker, prefix?: string): Promise<string[]> {
  const filters = labelFilter(prefix);
  const [cs, ns, vs] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters }), docker.listVolumes({ filters })]);
  return [
    ...cs.map((c) => `container ${(c.Names[0] ?? c.Id).replace(/^\//, '')}`),
    ...ns.map((n) => `network ${n.Name}`),
    ...(vs.Volumes ?? []).map((v) => `volume ${v.Name}`),
  ];
}

/** Removes the prefix's containers, then its networks and volumes; every failure is reported, none stops the rest. */
export async function cleanupDocker(docker: Docker, prefix?: string): Promise<DockerCleanupReport> {
  const report: DockerCleanupReport = { prefix: prefix ?? null, containers: [], networks: [], volumes: [], problems: [] };
  const filters = labelFilter(prefix);
  const containers = await docker.listContainers({ all: true, filters });
  const remove = async (c: (typeof containers)[number]): Promise<void> => {
    const name = (c.Names[0] ?? c.Id).replace(/^\//, '');
    try {
      await docker.getContainer(c.Id).remove({ force: true, v: true });
      report.containers.push(name);
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) report.problems.push(`container ${name}: ${engineMessage(e)}`);
    }
  };
  // Control sidecars share their node's namespaces: remove them before the nodes.
  const isCtl = (c: (typeof containers)[number]): boolean => c.Labels[ROLE_LABEL] === 'ctl';
  await Promise.all(containers.filter(isCtl).map(remove));
  await Promise.all(containers.filter((c) => !isCtl(c)).map(remove));
  for (const n of await docker.listNetworks({ filters })) {
    try {
      await docker.getNetwork(n.Id).remove();
      report.networks.push(n.Name);
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) report.problems.push(`network ${n.Name}: ${engineMessage(e)}`);
    }
  }
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) {
    try {
      await docker.getVolume(v.Name).remove();
      report.volumes.push(v.Name);
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) report.problems.push(`volume ${v.Name}: ${engineMessage(e)}`);
    }
  }
  return report;
}
