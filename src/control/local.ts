/**
 * The local Remote: runs commands and daemons inside a node's network namespace with
 * `ip netns exec`. The filesystem is shared with the controller, so upload/download are copies.
 * Daemons join the node's cgroup before entering the namespace (inside it /sys/fs/cgroup is
 * empty), start with a clean environment plus the run marker, and stay children of the
 * controller so they are reaped at once when they die.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import type { DaemonSpec, ExecOptions, ExecResult, Remote } from '../core/remote.ts';
import { DEFAULT_PATH, daemonEnv } from './marker.ts';
import { processRun } from './proc.ts';
import { CommandError, run } from './run.ts';

export interface LocalRemoteOptions {
  node: string;
  /** The network namespace, e.g. "fl-n1". */
  netns: string;
  /** Run prefix, written into every daemon's marker. */
  prefix: string;
  /** The node's cgroup directory (cgroup2 or v1 freezer); daemons join it. */
  cgroupDir?: string;
  /** Extra environment for every daemon (e.g. the libfaketime settings). */
  daemonEnv?: Readonly<Record<string, string>>;
}

/** sh script: join the cgroup given as $0, then exec the rest of the argv. */
const JOIN_CGROUP = 'echo $$ > "$0/cgroup.procs" && exec "$@"';

export class LocalRemote implements Remote {
  readonly node: string;
  readonly #opts: LocalRemoteOptions;
  readonly #children = new Map<number, ChildProcess>();

  constructor(opts: LocalRemoteOptions) {
    this.node = opts.node;
    this.#opts = opts;
  }

  async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new CommandError(`${this.node}: empty command`);
    const env = { PATH: DEFAULT_PATH, HOME: '/root', ...opts.env };
    try {
      return await run(['ip', 'netns', 'exec', this.#opts.netns, ...argv], {
        env,
        ...(opts.input !== undefined ? { input: opts.input } : {}),
        ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
        ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
        ...(opts.check !== undefined ? { check: opts.check } : {}),
      });
    } catch (e) {
      if (e instanceof CommandError) throw new CommandError(`${this.node}: ${e.message}`, e.result, { cause: e });
      throw e;
    }
  }

  async spawnDaemon(spec: DaemonSpec): Promise<number> {
    if (spec.argv.length === 0) throw new CommandError(`${this.node}: empty daemon command`);
    const env = daemonEnv(spec, this.#opts.daemonEnv, this.#opts.prefix, this.node);
    await mkdir(path.dirname(spec.logFile), { recursive: true });
    const log = await open(spec.logFile, 'a');
    const inNs = ['ip', 'netns', 'exec', this.#opts.netns, ...spec.argv];
    const argv = this.#opts.cgroupDir ? ['sh', '-c', JOIN_CGROUP, this.#opts.cgroupDir, ...inNs] : inNs;
    try {
      const child = spawn(argv[0] as string, argv.slice(1), {
        env,
        detached: true,
        stdio: ['ignore', log.fd, log.fd],
        ...(spec.cwd ? { cwd: spec.cwd } : {}),
      });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('error', (e) => reject(new CommandError(`${this.node}: cannot start ${spec.argv[0]}: ${e.message}`)));
        child.once('spawn', () => resolve(child.pid as number));
      });
      child.unref();
      this.#children.set(pid, child);
      child.once('exit', () => this.#children.delete(pid));
      return pid;
    } finally {
      await log.close();
    }
  }

  async signal(pid: number, signal: NodeJS.Signals): Promise<void> {
    const run = await processRun(pid);
    if (run === undefined) return; // already gone
    if (run !== this.#opts.prefix) {
      throw new CommandError(`${this.node}: refusing to signal pid ${pid}: it is not a process of run ${this.#opts.prefix}`);
    }
    try {
      process.kill(pid, signal);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }

  async upload(localPath: string, remotePath: string): Promise<void> {
    await mkdir(path.dirname(remotePath), { recursive: true });
    await copyFile(localPath, remotePath);
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    await mkdir(path.dirname(localPath), { recursive: true });
    await copyFile(remotePath, localPath);
  }

  async close(): Promise<void> {
    this.#children.clear();
  }
}
