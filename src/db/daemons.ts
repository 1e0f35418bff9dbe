/**
 * The daemon a DB adapter runs on each node, tracked by pid, with kill / pause / resume for the
 * nemeses. Where the provider has node control (cgroup freezer, killing every process of the
 * node) it is used; otherwise the daemon's pid is signalled through the node's Remote. Also the
 * readiness wait every adapter does after starting a daemon, and DaemonDb: the lifecycle every
 * such adapter shares (teardown, logs, kill, restart, pause, resume).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeContext } from '../core/context.ts';
import { FaultlineError } from '../core/errors.ts';

export interface ReadyWait {
  /** What runs there, for messages: "etcd", "consul", "reference:raft". */
  what: string;
  /** The daemon's log on the node, named in messages and quoted when the daemon exits. */
  logFile: string;
  timeoutMs: number;
  pollMs: number;
  /** Asks the daemon once (within `timeoutMs`): undefined when ready, else what is missing. */
  probe: (timeoutMs: number) => Promise<string | undefined>;
  /** Where the daemon answers, for the timeout message. */
  address?: string;
}

export class NodeDaemons {
  readonly #pids = new Map<string, number>();

  set(node: string, pid: number): void {
    this.#pids.set(node, pid);
  }

  has(node: string): boolean {
    return this.#pids.has(node);
  }

  /**
   * Whether the node's daemon is still running. The answer is read from the command's output, not
   * its exit status: a remote that loses a command's status (ssh's exit-status message is optional)
   * must not make a live daemon look dead. An answer that is neither counts as alive; the caller's
   * deadline still bounds the wait.
   */
  async alive(ctx: NodeContext): Promise<boolean> {
    const pid = this.#pids.get(ctx.node.name);
    if (pid === undefined) return false;
    const r = await ctx.cluster.remote(ctx.node.name).exec(['sh', '-c', `kill -0 ${pid} 2>/dev/null && echo alive || echo gone`], { check: false });
    return r.stdout.trim() !== 'gone';
  }

  /**
   * Polls until the probe says the daemon is ready and the daemon still runs; fails at once,
   * quoting its log, when the daemon exits, and with the probe's last answer at the deadline.
   */
  async waitReady(ctx: NodeContext, w: ReadyWait): Promise<void> {
    const node = ctx.node;
    const deadline = Date.now() + w.timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      const missing = await w.probe(Math.max(100, Math.min(1000, deadline - Date.now())));
      // Checked after a ready answer too: an old daemon that outlived its kill answers the
      // probe while the new one exited (its port was taken).
      if (!(await this.alive(ctx))) {
        const tail = await ctx.cluster.remote(node.name).exec(['tail', '-n', '2', w.logFile], { check: false });
        throw new FaultlineError('E_SETUP', `${w.what} on ${node.name} exited during startup: ${tail.stdout.trim().split('\n').join(' | ')}; see ${w.logFile}`);
      }
      if (missing === undefined) return;
      last = missing;
      await sleep(w.pollMs);
    }
    const where = w.address ? ` (${w.address})` : '';
    throw new FaultlineError('E_SETUP', `${w.what} on ${node.name}${where} was not ready within ${w.timeoutMs / 1000} s (${last}); see ${w.logFile}`);
  }

  /** SIGKILLs the node's daemon (every process of the node where the provider can). */
  async kill(ctx: NodeContext): Promise<void> {
    const node = ctx.node;
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

  async pause(ctx: NodeContext): Promise<void> {
    const node = ctx.node;
    const control = ctx.cluster.nodeControl;
    if (control) return control.freeze(node.name);
    const pid = this.#pids.get(node.name);
    if (pid !== undefined) await ctx.cluster.remote(node.name).signal(pid, 'SIGSTOP');
  }

  async resume(ctx: NodeContext): Promise<void> {
    const node = ctx.node;
    const control = ctx.cluster.nodeControl;
    if (control) return control.thaw(node.name);
    const pid = this.#pids.get(node.name);
    if (pid !== undefined) await ctx.cluster.remote(node.name).signal(pid, 'SIGCONT');
  }
}

/** A DB that runs one daemon per node, started by `spawn`, logging to `logFile`. */
export abstract class DaemonDb {
  protected readonly daemons = new NodeDaemons();

  /** The daemon's log on the node. */
  protected abstract logFile(ctx: NodeContext): string;
  /** Starts the node's daemon; `restart` after a kill, with the data it had. */
  protected abstract spawn(ctx: NodeContext, restart: boolean): Promise<void>;

  async teardown(ctx: NodeContext): Promise<void> {
    await this.kill(ctx);
  }

  logFiles(ctx: NodeContext): readonly string[] {
    return [this.logFile(ctx)];
  }

  kill(ctx: NodeContext): Promise<void> {
    return this.daemons.kill(ctx);
  }

  async start(ctx: NodeContext): Promise<void> {
    if (this.daemons.has(ctx.node.name)) return;
    await this.spawn(ctx, true);
  }

  pause(ctx: NodeContext): Promise<void> {
    return this.daemons.pause(ctx);
  }

  resume(ctx: NodeContext): Promise<void> {
    return this.daemons.resume(ctx);
  }
}
