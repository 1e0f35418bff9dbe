/**
 * Crash-safe cleanup of a local run, keyed only by its prefix: every `up` runs it first (once it
 * holds the prefix, so only a dead run's leftovers are there), `down` runs it, and `faultline
 * cleanup` runs it on demand for runs whose controller is dead. Order matters (measured): find our
 * processes three ways (inside our namespaces, in our cgroups, carrying our env marker), thaw and
 * SIGKILL them by pid, wait until they are gone; then unmount the run's fault filesystems (named
 * faultfs:<prefix>:<node>, see src/disk); then delete the switch ports, the namespaces (which
 * removes every rule, qdisc and queue inside them), the controller veth, the cgroups, the
 * per-namespace /etc/netns dirs, the run's work directory and its registry entry. Nothing is
 * killed by name and the root namespace's firewall is never touched.
 */
import { mkdir, readFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CONTROLLER_HOST } from '../../control/host-build.ts';
import { RUN_VAR } from '../../control/marker.ts';
import { faultFsMounts, mountTag } from '../../disk/commands.ts';
import { cleanupFaultFs, mountsOn } from '../../disk/faultfs.ts';
import { isLive, processEnviron, waitGone } from '../../control/proc.ts';
import { run } from '../../control/run.ts';
import { type DeadRuns, type LockStore, forEachDeadRun } from '../run-lock.ts';
import { findCgroupRoot, killGroup, nodeDir, removeRunGroups, runDir, runPids, thawRunGroups } from './cgroups.ts';
import { checkPrefix, defaultWorkDir, isRunNamespace } from './layout.ts';

export const REGISTRY_DIR = '/run/faultline/runs';
const NETNS_DIR = '/run/netns';

export interface RunRecord {
  prefix: string;
  subnet: string;
  nodes: number;
  controllerPid: number;
  workDir: string;
}

export interface CleanupReport {
  prefix: string;
  killed: number[];
  namespaces: string[];
  links: string[];
  /** Fault filesystems unmounted (their directories). */
  mounts: string[];
  cgroups: boolean;
  /** The work directory, when there was one to remove. */
  workDir?: string;
  /** Anything that could not be removed, one line each. */
  problems: string[];
}

export async function registerRun(rec: RunRecord): Promise<void> {
  await mkdir(REGISTRY_DIR, { recursive: true });
  await writeFile(path.join(REGISTRY_DIR, `${rec.prefix}.json`), JSON.stringify(rec) + '\n');
}

/** The registry entry of a run, when it has one. */
export async function registeredRun(prefix: string): Promise<RunRecord | undefined> {
  const text = await readFile(path.join(REGISTRY_DIR, `${prefix}.json`), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as RunRecord;
  } catch {
    return undefined;
  }
}

/** Prefixes of runs that may have left something behind: registered ones, switch namespaces, marked processes, fault filesystems. */
export async function knownRuns(): Promise<string[]> {
  const found = new Set<string>();
  for (const m of faultFsMounts(await mountsOn(CONTROLLER_HOST))) {
    const prefix = mountTag(m).split(':')[0] ?? '';
    try {
      checkPrefix(prefix); // a run's tag starts with its prefix; tests and benchmarks use other words
      found.add(prefix);
    } catch {
      // not a run's mount
    }
  }
  try {
    for (const f of await readdir(REGISTRY_DIR)) if (f.endsWith('.json')) found.add(f.slice(0, -5));
  } catch {
    // no registry yet
  }
  for (const ns of await readdir(NETNS_DIR).catch(() => [] as string[])) {
    const m = /^([a-z][a-z0-9]{0,9})-sw$/.exec(ns);
    if (m) found.add(m[1]!);
  }
  for (const pid of await allPids()) {
    const r = (await processEnviron(pid))?.get(RUN_VAR);
    if (r) found.add(r);
  }
  return [...found].sort();
}

export async function runNamespaces(prefix: string): Promise<string[]> {
  try {
    return (await readdir(NETNS_DIR)).filter((n) => isRunNamespace(prefix, n)).sort();
  } catch {
    return [];
  }
}

async function allPids(): Promise<number[]> {
  return (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
}

/** Live (non-zombie) pids that belong to the run: in its namespaces, its cgroups, or marked. */
export async function runProcesses(prefix: string): Promise<number[]> {
  const nsInodes = new Set<string>();
  for (const ns of await runNamespaces(prefix)) {
    try {
      nsInodes.add(`net:[${(await stat(path.join(NETNS_DIR, ns))).ino}]`);
    } catch {
      // deleted meanwhile
    }
  }
  const victims = new Set<number>();
  const root = await findCgroupRoot();
  if (root) for (const p of await runPids(root, prefix)) victims.add(p);
  for (const pid of await allPids()) {
    if (pid === process.pid) continue;
    try {
      if (nsInodes.size > 0 && nsInodes.has(await readlink(`/proc/${pid}/ns/net`))) {
        victims.add(pid);
        continue;
      }
    } catch {
      continue;
    }
    if ((await processEnviron(pid))?.get(RUN_VAR) === prefix) victims.add(pid);
  }
  victims.delete(process.pid);
  const live: number[] = [];
  for (const p of victims) if (await isLive(p)) live.push(p);
  return live.sort((a, b) => a - b);
}

async function killAndWait(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  for (const sig of ['SIGCONT', 'SIGKILL'] as const) {
    for (const p of pids) {
      try {
        process.kill(p, sig);
      } catch {
        // gone already
      }
    }
  }
  return waitGone(pids, timeoutMs);
}

async function quiet(argv: string[]): Promise<boolean> {
  return (await run(argv, { check: false })).exitCode === 0;
}

/**
 * Removes everything of the run `prefix`; safe to call when nothing is there. The caller makes
 * sure no live controller runs it (it holds the run's prefix lock). The work directory is the
 * given one, else the registered one, else the default.
 */
export async function cleanupRun(prefix: string, o: { workDir?: string } = {}): Promise<CleanupReport> {
  const report: CleanupReport = { prefix, killed: [], namespaces: [], links: [], mounts: [], cgroups: false, problems: [] };
  const workDir = o.workDir ?? (await registeredRun(prefix))?.workDir ?? defaultWorkDir(prefix);
  const root = await findCgroupRoot();
  if (root) await thawRunGroups(root, prefix);
  // Kill in rounds: a dying parent may have forked a last child.
  for (let round = 0; round < 3; round++) {
    const victims = await runProcesses(prefix);
    if (victims.length === 0) break;
    if (root) {
      for (const ns of await runNamespaces(prefix)) {
        const node = ns.slice(prefix.length + 1);
        await killGroup(root, nodeDir(root, prefix, node));
      }
    }
    const left = await killAndWait(victims, 5000);
    report.killed.push(...victims.filter((p) => !left.includes(p)));
    if (round === 2 && left.length > 0) report.problems.push(`processes still alive: ${left.join(', ')}`);
  }
  const unmounted = await cleanupFaultFs(CONTROLLER_HOST, prefix);
  report.mounts.push(...unmounted.unmounted);
  report.problems.push(...unmounted.problems);
  // The controller veth goes first: deleting it is synchronous and takes its peer on the bridge.
  const ctl = `${prefix}-ctl`;
  if (await quiet(['ip', 'link', 'show', 'dev', ctl])) {
    const r = await run(['ip', 'link', 'del', 'dev', ctl], { check: false });
    if (r.exitCode === 0 || /Cannot find device/.test(r.stderr)) report.links.push(ctl);
    else report.problems.push(`cannot delete link ${ctl}: ${r.stderr.trim()}`);
  }
  const namespaces = await runNamespaces(prefix);
  const sw = `${prefix}-sw`;
  if (namespaces.includes(sw)) {
    for (const ns of namespaces) {
      if (ns !== sw) await quiet(['ip', '-n', sw, 'link', 'del', ns.slice(prefix.length + 1)]);
    }
  }
  for (const ns of namespaces) {
    if (await quiet(['ip', 'netns', 'del', ns])) report.namespaces.push(ns);
    else report.problems.push(`cannot delete namespace ${ns}`);
    await rm(path.join('/etc/netns', ns), { recursive: true, force: true });
  }
  if (root) {
    const existed = await stat(runDir(root, prefix)).then(() => true, () => false);
    report.problems.push(...(await removeRunGroups(root, prefix)));
    report.cgroups = existed;
  }
  if (await stat(workDir).then(() => true, () => false)) {
    await rm(workDir, { recursive: true, force: true }).then(
      () => (report.workDir = workDir),
      (e: Error) => report.problems.push(`cannot remove ${workDir}: ${e.message}`),
    );
  }
  if (report.problems.length === 0) await rm(path.join(REGISTRY_DIR, `${prefix}.json`), { force: true });
  return report;
}

/**
 * Cleans up each run whose controller is dead (see forEachDeadRun); a run whose controller lives
 * is left alone and named. The work directory is the dead run's own, as its lock recorded it.
 */
export function cleanupDeadRuns(prefixes: readonly string[], o: { store?: LockStore; log?: (line: string) => void } = {}): Promise<DeadRuns<CleanupReport>> {
  return forEachDeadRun(
    prefixes,
    (prefix, dead) => {
      const workDir = dead.find((h) => h.workDir !== undefined)?.workDir;
      return cleanupRun(prefix, workDir !== undefined ? { workDir } : {});
    },
    o,
  );
}

/** What of the run still exists (namespaces, link, cgroup, processes), one line each. */
export async function runLeftovers(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for (const ns of await runNamespaces(prefix)) out.push(`namespace ${ns}`);
  if (await quiet(['ip', 'link', 'show', 'dev', `${prefix}-ctl`])) out.push(`link ${prefix}-ctl`);
  const root = await findCgroupRoot();
  if (root && (await stat(runDir(root, prefix)).then(() => true, () => false))) out.push(`cgroup ${runDir(root, prefix)}`);
  for (const p of await runProcesses(prefix)) out.push(`process ${p}`);
  for (const m of faultFsMounts(await mountsOn(CONTROLLER_HOST), prefix)) out.push(`fault filesystem ${m.target}`);
  return out;
}
