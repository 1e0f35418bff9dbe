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
import type { Remote } from '../core/remote.ts';
import { packageFile } from '../code-paths.ts';
import { CAPABILITIES } from '../setup/capabilities.ts';
import type { HelperSpec } from '../control/host-build.ts';
import { helperOnHost } from '../control/host-build.ts';
import { DEFAULT_PATH } from '../control/marker.ts';
import { shellQuote } from '../control/quote.ts';
import {
  commandWords,
  faultFsMounts,
  fsName,
  mountTag,
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

export const FAULTFS_SOURCE = packageFile('src/disk/faultfs.c');
export const FAULTFS_APT = CAPABILITIES.disk.packages.join(' ');

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
    if (m.target === dir || m.source === name) await unmountDir(host, m.target, mountTag(m));
  }
  const argv = [bin, 'mount', dir, '--socket', socket, '--name', name, '--dirs', opts.dirs ?? 'journal', ...(opts.logFile ? ['--log', opts.logFile] : [])];
  const r = await host.exec(argv, { check: false, timeoutMs: 30_000, ...(opts.env ? { env: { PATH: DEFAULT_PATH, ...opts.env } } : {}) });
  if (r.exitCode !== 0) throw new Error(`${host.node}: cannot mount the fault filesystem on ${dir}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  const pid = parseReply(r.stdout).pid;
  if (typeof pid !== 'number') throw new Error(`${host.node}: faultfs mount did not report its pid`);
  return new FaultFs(host, bin, dir, opts.tag, pid);
}

/** One mounted fault filesystem. */
export class FaultFs {
  readonly host: FaultFsHost;
  /** The mounted directory (resolved). */
  readonly dir: string;
  readonly tag: string;
  readonly socket: string;
  /** The daemon's pid on the host. */
  readonly pid: number;
  readonly #bin: string;

  constructor(host: FaultFsHost, bin: string, dir: string, tag: string, pid: number) {
    this.host = host;
    this.#bin = bin;
    this.dir = dir;
    this.tag = tag;
    this.socket = socketPath(tag);
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

  /** Unmounts and stops the daemon; what the directory shows stays there. */
  async unmount(): Promise<void> {
    await unmountDir(this.host, this.dir, this.tag);
  }
}

/** The mount table of the host (in the namespace its exec runs in). */
export async function mountsOn(host: FaultFsHost): Promise<MountEntry[]> {
  return parseMounts((await host.exec(['cat', '/proc/self/mounts'])).stdout);
}

/**
 * Unmounts `dir` (lazily when it is busy), then stops the daemon of `tag`: a copy of the mount in
 * another mount namespace (every `ip netns exec` copies the mount table) keeps the kernel's
 * connection open after the umount, so the daemon is told to go with SIGTERM, found through its
 * pid file and checked by its command line (never a process that is not that daemon), and
 * SIGKILLed after 30 s. Rejects when the directory is still mounted, or the daemon still runs.
 */
export async function unmountDir(host: FaultFsHost, dir: string, tag?: string): Promise<void> {
  const plain = await host.exec(['umount', dir], { check: false, timeoutMs: 30_000 });
  if (plain.exitCode !== 0) {
    const r = await host.exec(['umount', '-l', dir], { check: false, timeoutMs: 30_000 });
    if (r.exitCode !== 0 && (await mountsOn(host)).some((m) => m.target === dir && m.fstype.startsWith('fuse'))) {
      throw new Error(`${host.node}: cannot unmount ${dir}: ${r.stderr.trim() || plain.stderr.trim()}`);
    }
  }
  if (tag !== undefined) await stopDaemon(host, tag);
}

/** Ends the daemon of `tag` if it runs: SIGTERM, then SIGKILL after 30 s. */
async function stopDaemon(host: FaultFsHost, tag: string): Promise<void> {
  const pidFile = `${socketPath(tag)}.pid`;
  // The pid, only while that process is the daemon of this mount (its argv names the fsname).
  const ours = `p=$(cat ${shellQuote(pidFile)} 2>/dev/null) && tr '\\0' '\\n' < /proc/$p/cmdline 2>/dev/null | grep -qxF ${shellQuote(fsName(tag))} && case $(sed 's/.*) //' /proc/$p/stat | cut -c1) in Z|X) false;; esac && echo $p`;
  const signal = (sig: string) => `p=$(${ours}) && kill -${sig} $p`;
  const wait = `for i in $(seq 1 1500); do ${ours} >/dev/null || exit 0; sleep 0.02; done; exit 1`;
  const run = (script: string) => host.exec(['sh', '-c', script], { check: false, timeoutMs: 60_000 });
  if ((await run(signal('TERM'))).exitCode === 0 && (await run(wait)).exitCode !== 0) {
    await run(signal('KILL'));
    if ((await run(wait)).exitCode !== 0) throw new Error(`${host.node}: the faultfs daemon of ${tag} survives SIGKILL`);
  }
  // A daemon that exits removes them; one that was killed leaves them behind.
  await host.exec(['rm', '-f', socketPath(tag), pidFile]);
}

/**
 * Unmounts every fault filesystem on the host, or those of `tagPrefix` (see fsName), e.g. what a
 * crashed run left, and stops their daemons if they still run.
 */
export async function cleanupFaultFs(host: FaultFsHost, tagPrefix?: string): Promise<{ unmounted: string[]; problems: string[] }> {
  const unmounted: string[] = [];
  const problems: string[] = [];
  for (const m of faultFsMounts(await mountsOn(host), tagPrefix)) {
    try {
      await unmountDir(host, m.target, mountTag(m));
      unmounted.push(m.target);
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
  }
  return { unmounted, problems };
}
