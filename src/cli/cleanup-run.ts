/**
 * What `faultline cleanup` does (src/cli/cleanup.ts registers the command and loads this when it
 * runs): local runs' leftovers, an ssh inventory's hosts, docker runs' labelled objects.
 */
import { cleanupDeadRuns, knownRuns, type CleanupReport } from '../providers/local/cleanup.ts';
import { checkPrefix } from '../providers/local/layout.ts';
import { type LockHolder, describeHolder, forEachDeadRun, listRunLocks, logToStderr } from '../providers/run-lock.ts';
import { requireRoot } from '../providers/root.ts';
import { UsageError } from '../core/errors.ts';

export interface CleanupFlags {
  prefix?: string;
  all?: boolean;
  inventory?: string;
  provider?: string;
  json?: boolean;
}

/** Runs `faultline cleanup` with its flags; sets the exit code. */
export async function cleanup(flags: CleanupFlags): Promise<void> {
  const prefix = scope(flags);
  if (flags.provider === 'docker') return cleanupDockerRuns(prefix, flags.json === true);
  if (flags.provider !== undefined && flags.provider !== 'local') throw new UsageError(`cleanup --provider ${JSON.stringify(flags.provider)}: use local or docker`);
  const inventoryFile = flags.inventory;
  const ssh = inventoryFile ? await import('../providers/ssh/inventory.ts') : undefined;
  const inventory = ssh && inventoryFile ? await ssh.readInventory(inventoryFile) : undefined;
  if (ssh && inventory && inventoryFile) await ssh.checkInventoryFiles(inventory, inventoryFile);
  requireRoot('faultline cleanup');
  const local = await cleanupDeadRuns(prefix !== undefined ? [prefix] : await localPrefixes());
  const hosts = inventory ? await (await import('../providers/ssh/provider.ts')).cleanupInventory(inventory, prefix) : [];
  const runs = local.cleaned.map((c) => ({ ...c.result, staleLocks: c.staleLocks }));
  const problems = [...runs.flatMap((r) => r.problems.map((x) => `${r.prefix}: ${x}`)), ...hosts.flatMap((h) => h.problems.map((x) => `${h.prefix} on ${x}`))];
  if (flags.json) {
    process.stdout.write(JSON.stringify({ runs, left: local.left, ssh: hosts, ok: problems.length === 0 }, null, 2) + '\n');
  } else {
    for (const r of runs) process.stderr.write(`run ${r.prefix}: ${describeCleanup(r)}\n`);
    for (const h of local.left) process.stderr.write(`${leftAlone(h)}\n`);
    for (const h of hosts) {
      if (h.cleaned.length > 0) process.stderr.write(`ssh run ${h.prefix}: cleaned ${h.cleaned.join(', ')}\n`);
      for (const l of h.left) process.stderr.write(`ssh run ${h.prefix}: left alone: ${l}\n`);
    }
    for (const p of problems) process.stderr.write(`problem: ${p}\n`);
  }
  process.exitCode = problems.length > 0 ? 1 : 0;
}

/** The one prefix asked for, or undefined for --all; a usage error without either, or with both. */
function scope(flags: CleanupFlags): string | undefined {
  if (flags.prefix !== undefined && flags.all) throw new UsageError('cleanup takes --prefix P or --all, not both');
  if (flags.prefix === undefined && !flags.all) {
    throw new UsageError('cleanup needs --prefix P (the run that ran with that prefix) or --all (every run found whose controller is dead)');
  }
  if (flags.prefix !== undefined) checkPrefix(flags.prefix);
  return flags.prefix;
}

/** Every local run there is a sign of: registered, namespaces, marked processes, and locks of local runs or cleanups. */
async function localPrefixes(): Promise<string[]> {
  const locked = (await listRunLocks()).filter((l) => l.holder.provider === 'local' || l.holder.provider === 'cleanup').map((l) => l.holder.prefix);
  return [...new Set([...(await knownRuns()), ...locked])].sort();
}

function describeCleanup(r: CleanupReport & { staleLocks: string[] }): string {
  const did = [
    r.killed.length ? `killed ${r.killed.length} process(es)` : '',
    r.namespaces.length ? `deleted ${r.namespaces.length} namespace(s)` : '',
    r.links.length ? `deleted ${r.links.join(', ')}` : '',
    r.mounts.length ? `unmounted ${r.mounts.join(', ')}` : '',
    r.cgroups ? 'removed cgroups' : '',
    r.workDir ? `removed ${r.workDir}` : '',
    r.staleLocks.length ? `removed the stale lock(s) of ${r.staleLocks.join(', ')}` : '',
  ].filter(Boolean);
  return did.length ? did.join(', ') : 'nothing to clean';
}

function leftAlone(h: LockHolder): string {
  return `run ${h.prefix}: left alone, its controller is alive: ${describeHolder(h)}`;
}

/** `cleanup --provider docker`: the labelled objects of each docker run whose controller is dead. */
async function cleanupDockerRuns(prefix: string | undefined, json: boolean): Promise<void> {
  const { cleanupDocker, dockerPrefixes } = await import('../providers/docker/cleanup.ts');
  const { dockerClient, requireEngine } = await import('../providers/docker/provider.ts');
  const docker = dockerClient();
  await requireEngine(docker);
  const prefixes = prefix !== undefined ? [prefix] : await dockerPrefixes(docker);
  const done = await forEachDeadRun(prefixes, (p) => cleanupDocker(docker, p), { log: logToStderr });
  const reports = done.cleaned.map((c) => c.result);
  const r = {
    prefix: prefix ?? null,
    containers: reports.flatMap((x) => x.containers),
    networks: reports.flatMap((x) => x.networks),
    volumes: reports.flatMap((x) => x.volumes),
    problems: reports.flatMap((x) => x.problems),
  };
  if (json) {
    process.stdout.write(JSON.stringify({ docker: r, left: done.left, ok: r.problems.length === 0 }, null, 2) + '\n');
  } else {
    const did = [...r.containers.map((c) => `container ${c}`), ...r.networks.map((n) => `network ${n}`), ...r.volumes.map((v) => `volume ${v}`)];
    process.stderr.write(`docker${prefix ? ` run ${prefix}` : ''}: ${did.length ? `removed ${did.join(', ')}` : 'nothing to clean'}\n`);
    for (const h of done.left) process.stderr.write(`${leftAlone(h)}\n`);
    for (const p of r.problems) process.stderr.write(`problem: ${p}\n`);
  }
  process.exitCode = r.problems.length > 0 ? 1 : 0;
}
