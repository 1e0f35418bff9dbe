/**
 * Freeze, thaw and kill all processes of one local node at once, through its cgroup (cgroup2
 * freeze/kill, or the v1 freezer); without cgroups, SIGSTOP/SIGCONT/SIGKILL of the processes that
 * carry the node's marker.
 */
import { readdir } from 'node:fs/promises';
import { UsageError } from '../../core/errors.ts';
import type { NodeControl } from '../../core/provider.ts';
import { NODE_VAR, RUN_VAR } from '../../control/marker.ts';
import { isLive, processEnviron, processState, waitGone } from '../../control/proc.ts';
import { type CgroupRoot, groupPids, killGroup, nodeDir, setFrozen } from './cgroups.ts';

export class LocalNodeControl implements NodeControl {
  readonly #root: CgroupRoot | undefined;
  readonly #prefix: string;
  readonly #nodes: Set<string>;
  readonly pauseMechanism: string;

  constructor(root: CgroupRoot | undefined, prefix: string, nodes: readonly string[]) {
    this.#root = root;
    this.#prefix = prefix;
    this.#nodes = new Set(nodes);
    this.pauseMechanism = root?.kind === 'cgroup2' ? 'cgroup2 freezer' : root ? 'cgroup1 freezer' : 'SIGSTOP';
  }

  #check(node: string): void {
    if (!this.#nodes.has(node)) throw new UsageError(`unknown node ${JSON.stringify(node)} (nodes: ${[...this.#nodes].join(', ')})`);
  }

  /** The node's running processes (a killed one waiting to be reaped is not listed). */
  async pids(node: string): Promise<number[]> {
    this.#check(node);
    if (this.#root) {
      const listed = await groupPids(nodeDir(this.#root, this.#prefix, node));
      const live = await Promise.all(listed.map((p) => isLive(p)));
      return listed.filter((_, i) => live[i]);
    }
    const out: number[] = [];
    for (const d of await readdir('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      const env = await processEnviron(Number(d));
      if (env?.get(RUN_VAR) === this.#prefix && env.get(NODE_VAR) === node) out.push(Number(d));
    }
    return out;
  }

  async freeze(node: string): Promise<void> {
    this.#check(node);
    if (this.#root) return setFrozen(this.#root, nodeDir(this.#root, this.#prefix, node), true);
    const pids = await this.pids(node);
    for (const p of pids) signalQuiet(p, 'SIGSTOP');
    for (const p of pids) {
      for (let i = 0; i < 1000 && (await isLive(p)) && (await processState(p)) !== 'T'; i++) await sleep(2);
    }
  }

  async thaw(node: string): Promise<void> {
    this.#check(node);
    if (this.#root) return setFrozen(this.#root, nodeDir(this.#root, this.#prefix, node), false);
    for (const p of await this.pids(node)) signalQuiet(p, 'SIGCONT');
  }

  /**
   * SIGKILLs every process of the node and resolves once the node has none left: the group is
   * listed again until it is empty, so a process that started while the kill went out (a daemon's
   * child) is killed and waited for too.
   */
  async killAll(node: string): Promise<void> {
    this.#check(node);
    const end = Date.now() + 5000;
    for (let pids = await this.pids(node); pids.length > 0; pids = await this.pids(node)) {
      if (Date.now() >= end) throw new Error(`${node}: processes still alive after SIGKILL: ${pids.join(', ')}`);
      if (!(this.#root && (await killGroup(this.#root, nodeDir(this.#root, this.#prefix, node))))) {
        for (const p of pids) signalQuiet(p, 'SIGKILL');
        for (const p of pids) signalQuiet(p, 'SIGCONT');
      }
      await waitGone(pids, Math.max(0, end - Date.now()));
    }
  }
}

function signalQuiet(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
