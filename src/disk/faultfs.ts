/**
 * The fault filesystem on a host: the faultfs helper (faultfs.c in this folder) is compiled there
 * on first use (control/host-build.ts), mounted over a directory, driven through its control
 * socket, and always unmounted again, also when it was left behind by a crashed run (every mount
 * is named `faultfs:<tag>`, type fuse.faultfs, so cleanup finds them).
 *
 * Which host mounts: the machine whose mount table the DB processes see. For the local provider
 * that is the controller (CONTROLLER_HOST): node processes start in a copy of its mount namespace
 * (`ip netns exec`), so the filesystem must be mounted before the DB starts. For ssh and docker it
 * is the node's own Remote (docker: the container needs /dev/fuse and CAP_SYS_ADMIN).
 */
import { fileURLToPath } from 'node:url';
import type { Remote } from '../core/remote.ts';
import type { HelperSpec } from '../control/host-build.ts';
import { helperOnHost } from '../control/host-build.ts';
import { DEFAULT_PATH } from '../control/marker.ts';
import {
  commandWords,
  faultFsMounts,
  fsName,
  parseMounts,
  parsePowerLoss,
  parseReply,
  parseStatus,
  socketPath,
  type DirSync,
  type DiskCommand,
  type DiskFault,
  type FaultFsStatus,
  type MountEntry,
  type PowerLossReport,
} from './commands.ts';

export const FAULTFS_SOURCE = fileURLToPath(new URL('./faultfs.c', import.meta.url));
export const FAULTFS_APT = 'gcc libfuse3-dev fuse3';

/** How to build the helper on a host (see control/host-build.ts). */
export const FAULTFS_SPEC: HelperSpec = { source: FAULTFS_SOURCE, libs: ['-lfuse3', '-lpthread', '-lm'], apt: FAULTFS_APT };

/** What the driver needs of a host: run a command, put a file there. */
export type FaultFsHost = Pick<Remote, 'node' | 'exec' | 'upload'>;

export interface FaultFsMountOptions {
  /** The directory to put under the fault filesystem; created when missing; its contents stay. */
  dir: string;
  /** Names the mount `faultfs:<tag>`, e.g. `<run prefix>:<node>` (see commands.ts fsName). */
  tag: string;
  /** When namespace changes become durable (default `journal`; see commands.ts DirSync). */
  dirs?: DirSync;
  /** The daemon's log on the host (default: none). */
  logFile?: string;
  /** The daemon's environment, e.g. the run marker and FAULT_HELPER_ENV (PATH is added). */
  env?: Readonly<Record<string, string>>;
}

const COMMAND_TIMEOUT_MS = 120_000;

/**
 * Mounts a fault filesystem over `opts.dir` on `host` and returns its handle; a stale fault
 * filesystem at the same place (its daemon crashed) is unmounted first.
 *
 * @example
 *   const fs = await mountFaultFs(CONTROLLER_HOST, { dir: '/var/lib/n1', tag: 'fl:n1' });
 *   try { ...; await fs.apply({ kind: 'power-loss' }); ... } finally { await fs.unmount(); }
 */
export async function mountFaultFs(host: FaultFsHost, opts: FaultFsMountOptions): Promise<FaultFs> {
  const name = fsName(opts.tag);
  const socket = socketPath(opts.tag);
  const bin = await helperOnHost(host, FAULTFS_SPEC);
  await host.exec(['mkdir', '-p', opts.dir]);
  const dir = (await host.exec(['realpath', opts.dir])).stdout.trim();
  for (const m of faultFsMounts(await mountsOn(host))) {
    if (m.target === dir || m.source === name) await unmountDir(host, m.target);
  }
  const argv = [bin, 'mount', dir, '--socket', socket, '--name', name, '--dirs', opts.dirs ?? 'journal', ...(opts.logFile ? ['--log', opts.logFile] : [])];
  const r = await host.exec(argv, { check: false, timeoutMs: 30_000, ...(opts.env ? { env: { PATH: DEFAULT_PATH, ...opts.env } } : {}) });
  if (r.exitCode !== 0) throw new Error(`${host.node}: cannot mount the fault filesystem on ${dir}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  const pid = parseReply(r.stdout).pid;
  if (typeof pid !== 'number') throw new Error(`${host.node}: faultfs mount did not report its pid`);
  return new FaultFs(host, bin, dir, socket, pid);
}

/** One mounted fault filesystem. */
export class FaultFs {
  readonly host: FaultFsHost;
  /** The mounted directory (resolved). */
  readonly dir: string;
  readonly socket: string;
  /** The daemon's pid on the host. */
  readonly pid: number;
  readonly #bin: string;

  constructor(host: FaultFsHost, bin: string, dir: string, socket: string, pid: number) {
    this.host = host;
    this.#bin = bin;
    this.dir = dir;
    this.socket = socket;
    this.pid = pid;
  }

  /** Sends one command; resolves with the daemon's reply, rejects with its error. */
  async command(c: DiskCommand): Promise<Record<string, unknown>> {
    const r = await this.host.exec([this.#bin, 'ctl', this.socket, ...commandWords(c)], { check: false, timeoutMs: COMMAND_TIMEOUT_MS });
    if (r.exitCode !== 0 && r.stdout.trim() === '') throw new Error(`${this.host.node}: ${r.stderr.trim() || `faultfs ctl exited ${r.exitCode}`}`);
    return parseReply(r.stdout);
  }

  /** Starts a fault (a new one of a kind replaces the old); a power loss happens at once. */
  async apply(f: DiskFault): Promise<PowerLossReport | undefined> {
    const reply = await this.command(f);
    return f.kind === 'power-loss' ? parsePowerLoss(reply) : undefined;
  }

  /** Ends every fault (the durability tracking goes on). */
  async heal(): Promise<void> {
    await this.command({ kind: 'heal' });
  }

  async status(): Promise<FaultFsStatus> {
    return parseStatus(await this.command({ kind: 'status' }));
  }

  /** Unmounts and waits for the daemon to exit; what the directory shows stays there. */
  async unmount(): Promise<void> {
    await unmountDir(this.host, this.dir, this.pid);
  }
}

/** The mount table of the host (in the namespace its exec runs in). */
export async function mountsOn(host: FaultFsHost): Promise<MountEntry[]> {
  return parseMounts((await host.exec(['cat', '/proc/self/mounts'])).stdout);
}

/**
 * Unmounts `dir` (lazily when it is busy) and, given the daemon's pid, waits up to 5 s for it to
 * exit. Rejects when the directory is still mounted afterwards.
 */
export async function unmountDir(host: FaultFsHost, dir: string, pid?: number): Promise<void> {
  const plain = await host.exec(['umount', dir], { check: false, timeoutMs: 30_000 });
  if (plain.exitCode !== 0) {
    const lazy = await host.exec(['umount', '-l', dir], { check: false, timeoutMs: 30_000 });
    if (lazy.exitCode !== 0 && (await mountsOn(host)).some((m) => m.target === dir && m.fstype.startsWith('fuse'))) {
      throw new Error(`${host.node}: cannot unmount ${dir}: ${lazy.stderr.trim() || plain.stderr.trim()}`);
    }
  }
  if (pid !== undefined) {
    // Gone or a zombie (the daemon is an orphan: its reaper may take a while).
    const state = `sed 's/.*) //' /proc/${pid}/stat 2>/dev/null | cut -c1`;
    const gone = `for i in $(seq 1 250); do case $(${state}) in ''|Z|X) exit 0;; esac; sleep 0.02; done; exit 1`;
    if ((await host.exec(['sh', '-c', gone], { check: false })).exitCode !== 0) {
      throw new Error(`${host.node}: the faultfs daemon ${pid} of ${dir} is still running after the unmount (a process still uses the directory?)`);
    }
  }
}

/**
 * Unmounts every fault filesystem on the host, or those of `tagPrefix` (see fsName), e.g. what a
 * crashed run left. Their daemons exit by themselves once unmounted (or are already dead).
 */
export async function cleanupFaultFs(host: FaultFsHost, tagPrefix?: string): Promise<{ unmounted: string[]; problems: string[] }> {
  const unmounted: string[] = [];
  const problems: string[] = [];
  for (const m of faultFsMounts(await mountsOn(host), tagPrefix)) {
    try {
      await unmountDir(host, m.target);
      unmounted.push(m.target);
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  return { unmounted, problems };
}
