/**
 * The daemon a DB adapter runs on each node, tracked by pid, with kill / pause / resume for the
 * nemeses. Where the provider has node control (cgroup freezer, killing every process of the
 * node) it is used; otherwise the daemon's pid is signalled through the node's Remote.
 */
import type { DbContext } from '../core/db.ts';
import type { NodeInfo } from '../core/provider.ts';

export class NodeDaemons {
  readonly #pids = new Map<string, number>();

  set(node: string, pid: number): void {
    this.#pids.set(node, pid);
  }

  get(node: string): number | undefined {
    return this.#pids.get(node);
  }

  has(node: string): boolean {
    return this.#pids.has(node);
  }

  /** SIGKILLs the node's daemon (every process of the node where the provider can). */
  async kill(ctx: DbContext, node: NodeInfo): Promise<void> {
    const control = ctx.cluster.nodeControl;
    if (control) {
      await control.thaw(node.name);
      await control.killAll(node.name);
    } else {
      const pid = this.#pids.get(node.name);
      // Already gone is fine: the daemon may have died on its own.
      if (pid !== undefined) await ctx.cluster.remote(node.name).signal(pid, 'SIGKILL').catch(() => undefined);
    }
    this.#pids.delete(node.name);
  }

  async pause(ctx: DbContext, node: NodeInfo): Promise<void> {
    const control = ctx.cluster.nodeControl;
    if (control) return control.freeze(node.name);
    const pid = this.#pids.get(node.name);
    if (pid !== undefined) await ctx.cluster.remote(node.name).signal(pid, 'SIGSTOP');
  }

  async resume(ctx: DbContext, node: NodeInfo): Promise<void> {
    const control = ctx.cluster.nodeControl;
    if (control) return control.thaw(node.name);
    const pid = this.#pids.get(node.name);
    if (pid !== undefined) await ctx.cluster.remote(node.name).signal(pid, 'SIGCONT');
  }
}
