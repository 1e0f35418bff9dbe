/**
 * Per-node cgroups for the local provider: one group per node under `<mount>/<prefix>/`, used to
 * find every process of a node (including double-forked ones), to freeze it atomically and to
 * kill it. Prefers cgroup2 (cgroup.freeze, cgroup.kill), wherever it is mounted; falls back to the
 * v1 freezer hierarchy; with neither, pause uses SIGSTOP.
 */
import { mkdir, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export type CgroupKind = 'cgroup2' | 'freezer-v1';

export interface CgroupRoot {
  kind: CgroupKind;
  /** The hierarchy's mount point. */
  mount: string;
}

/** Finds the hierarchy to use from /proc/self/mounts (cgroup2 with cgroup.freeze first). */
export async function findCgroupRoot(mountsText?: string): Promise<CgroupRoot | undefined> {
  const text = mountsText ?? (await readFile('/proc/self/mounts', 'utf8'));
  const mounts = text.split('\n').map((l) => l.split(' '));
  const v2 = mounts.find((m) => m[2] === 'cgroup2');
  if (v2?.[1]) return { kind: 'cgroup2', mount: v2[1] };
  const v1 = mounts.find((m) => m[2] === 'cgroup' && (m[3] ?? '').split(',').includes('freezer'));
  if (v1?.[1]) return { kind: 'freezer-v1', mount: v1[1] };
  return undefined;
}

export function runDir(root: CgroupRoot, prefix: string): string {
  return path.join(root.mount, prefix);
}

export function nodeDir(root: CgroupRoot, prefix: string, node: string): string {
  return path.join(root.mount, prefix, node);
}

export async function createNodeGroups(root: CgroupRoot, prefix: string, nodes: readonly string[]): Promise<void> {
  for (const n of nodes) await mkdir(nodeDir(root, prefix, n), { recursive: true });
}

export async function groupPids(dir: string): Promise<number[]> {
  try {
    const text = await readFile(path.join(dir, 'cgroup.procs'), 'utf8');
    return text.split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Every pid in the run's node groups (prefix/<node>/cgroup.procs). */
export async function runPids(root: CgroupRoot, prefix: string): Promise<number[]> {
  const base = runDir(root, prefix);
  let entries: string[];
  try {
    entries = (await readdir(base, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  const all = await Promise.all(entries.map((e) => groupPids(path.join(base, e))));
  return [...(await groupPids(base)), ...all.flat()];
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Freezes (or thaws) a node group and waits until the kernel says it is done. */
export async function setFrozen(root: CgroupRoot, dir: string, frozen: boolean): Promise<void> {
  if (root.kind === 'cgroup2') {
    await writeFile(path.join(dir, 'cgroup.freeze'), frozen ? '1' : '0');
    const want = `frozen ${frozen ? 1 : 0}`;
    const ok = await waitFor(async () => (await readFile(path.join(dir, 'cgroup.events'), 'utf8')).includes(want), 5000);
    if (!ok) throw new Error(`${dir}: cgroup did not become ${frozen ? 'frozen' : 'thawed'} within 5 s`);
  } else {
    await writeFile(path.join(dir, 'freezer.state'), frozen ? 'FROZEN' : 'THAWED');
    const want = frozen ? 'FROZEN' : 'THAWED';
    const ok = await waitFor(async () => (await readFile(path.join(dir, 'freezer.state'), 'utf8')).trim() === want, 5000);
    if (!ok) throw new Error(`${dir}: freezer did not become ${want} within 5 s`);
  }
}

/** Writes cgroup.kill where the kernel has it (cgroup2); returns whether it did. */
export async function killGroup(root: CgroupRoot, dir: string): Promise<boolean> {
  if (root.kind !== 'cgroup2') return false;
  try {
    await writeFile(path.join(dir, 'cgroup.kill'), '1');
    return true;
  } catch {
    return false;
  }
}

/** Thaws, then removes the run's groups (leaves first); groups still holding processes stay. */
export async function removeRunGroups(root: CgroupRoot, prefix: string): Promise<string[]> {
  const base = runDir(root, prefix);
  let entries: string[];
  try {
    entries = (await readdir(base, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
  const left: string[] = [];
  for (const dir of [...entries.map((e) => path.join(base, e)), base]) {
    try {
      await rmdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') left.push(`${dir}: ${(e as Error).message}`);
    }
  }
  return left;
}

/** Thaws every group of the run (a frozen process cannot die until thawed on cgroup v1). */
export async function thawRunGroups(root: CgroupRoot, prefix: string): Promise<void> {
  const base = runDir(root, prefix);
  let entries: string[];
  try {
    entries = (await readdir(base, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return;
  }
  for (const e of entries) {
    const dir = path.join(base, e);
    try {
      if (root.kind === 'cgroup2') await writeFile(path.join(dir, 'cgroup.freeze'), '0');
      else await writeFile(path.join(dir, 'freezer.state'), 'THAWED');
    } catch {
      // group already gone
    }
  }
}
