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

  async pids(node: string): Promise<number[]> {
    this.#check(node);
    if (this.#root) return groupPids(nodeDir(this.#root, this.#prefix, node));
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

  async killAll(node: string): Promise<void> {
    this.#check(node);
    const pids = await this.pids(node);
    if (!(this.#root && (await killGroup(this.#root, nodeDir(this.#root, this.#prefix, node))))) {
      for (const p of pids) signalQuiet(p, 'SIGKILL');
      for (const p of pids) signalQuiet(p, 'SIGCONT');
    }
    const left = await waitGone(pids, 5000);
    if (left.length > 0) throw new Error(`${node}: processes still alive after SIGKILL: ${left.join(', ')}`);
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
