/**
 * The docker Remote: runs commands in one container through the engine API (dockerode): exec
 * with stdin, separated stdout / stderr and the exit code; daemons start detached under `setsid`
 * with a clean environment plus the run marker (pids are those of the container's pid
 * namespace); files travel as tar archives (putArchive / getArchive). Timeouts run the command
 * under `timeout -s KILL` inside the container so nothing is left running there.
 */
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { DaemonSpec, ExecOptions, ExecResult, Remote } from '../core/remote.ts';
import { packFile, unpackFirstFile } from './tar.ts';
import { RUN_VAR, daemonEnv } from './marker.ts';
import { CommandError, describeFailure } from './run.ts';
import { envWords, shellQuote } from './quote.ts';
import { daemonCommand } from './ssh.ts';

export interface DockerTarget {
  docker: Docker;
  /** Container name or id. */
  container: string;
  node: string;
  /** Run prefix for the daemon marker. */
  prefix: string;
  /** Extra environment for every daemon (e.g. libfaketime settings). */
  daemonEnv?: Readonly<Record<string, string>>;
}

/** Exit status of `timeout -s KILL` when it had to kill the command. */
const KILLED = 137;
/** How long past its own timeout the controller waits for an exec before giving up on it. */
const BACKSTOP_MS = 10_000;

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of stream) parts.push(Buffer.isBuffer(b) ? b : Buffer.from(b as string));
  return Buffer.concat(parts);
}

/** The engine's message for a failed API call ("container ... is paused, ..."), on one line. */
export function engineMessage(e: unknown): string {
  const err = e as { json?: { message?: string }; message?: string; statusCode?: number };
  return (err.json?.message ?? err.message ?? String(e)).trim().split('\n')[0] ?? '';
}

export class DockerRemote implements Remote {
  readonly node: string;
  readonly #t: DockerTarget;
  readonly #container: Docker.Container;

  constructor(t: DockerTarget) {
    this.node = t.node;
    this.#t = t;
    this.#container = t.docker.getContainer(t.container);
  }

  /** Runs argv in the container; resolves with its result whatever the exit code. */
  async #run(argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    const timeout = opts.timeoutMs;
    const cmd = timeout ? ['timeout', '-s', 'KILL', (timeout / 1000).toFixed(3), ...argv] : [...argv];
    const withInput = opts.input !== undefined;
    const started = Date.now();
    let stream: Duplex;
    let exec: Docker.Exec;
    try {
      exec = await this.#container.exec({
        Cmd: cmd,
        AttachStdin: withInput,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        ...(opts.env ? { Env: envWords(opts.env) } : {}),
        ...(opts.cwd ? { WorkingDir: opts.cwd } : {}),
      });
      stream = (await exec.start({ hijack: true, stdin: withInput })) as Duplex;
    } catch (e) {
      throw new CommandError(`${this.node}: cannot exec \`${argv.join(' ')}\` in container ${this.#t.container}: ${engineMessage(e)}`, undefined, { cause: e });
    }
    const out = new PassThrough();
    const err = new PassThrough();
    const so = collect(out);
    const se = collect(err);
    this.#container.modem.demuxStream(stream, out, err);
    let backstop: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve, reject) => {
      stream.once('end', () => resolve());
      stream.once('close', () => resolve());
      stream.once('error', reject);
      if (timeout) backstop = setTimeout(() => stream.destroy(), timeout + BACKSTOP_MS);
      if (withInput) stream.end(opts.input);
    }).finally(() => clearTimeout(backstop));
    out.end();
    err.end();
    let info = await exec.inspect();
    for (let i = 0; info.Running && i < 100; i++) {
      await new Promise((r) => setTimeout(r, 10));
      info = await exec.inspect();
    }
    const r: ExecResult = { stdout: (await so).toString('utf8'), stderr: (await se).toString('utf8'), exitCode: info.ExitCode ?? -1 };
    if (timeout && (info.Running || (r.exitCode === KILLED && Date.now() - started >= timeout))) {
      throw new CommandError(`${this.node}: \`${argv.join(' ')}\` timed out after ${timeout} ms`, r);
    }
    return r;
  }

  async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new CommandError(`${this.node}: empty command`);
    const r = await this.#run(argv, opts);
    if (r.exitCode !== 0 && opts.check !== false) throw new CommandError(describeFailure(this.node, argv, r), r);
    return r;
  }

  async #sh(script: string, input?: string): Promise<ExecResult> {
    return this.exec(['sh', '-c', script], input === undefined ? {} : { input });
  }

  async spawnDaemon(spec: DaemonSpec): Promise<number> {
    if (spec.argv.length === 0) throw new CommandError(`${this.node}: empty daemon command`);
    const env = daemonEnv(spec, this.#t.daemonEnv, this.#t.prefix, this.node);
    const r = await this.#sh(daemonCommand(spec, env, false));
    const pid = Number(r.stdout.trim().split('\n').pop());
    if (!Number.isInteger(pid) || pid <= 0) throw new CommandError(`${this.node}: could not read the daemon's pid from ${JSON.stringify(r.stdout)}`);
    return pid;
  }

  async signal(pid: number, signal: NodeJS.Signals): Promise<void> {
    if (!Number.isInteger(pid) || pid <= 0) throw new CommandError(`${this.node}: bad pid ${pid}`);
    const marker = shellQuote(`${RUN_VAR}=${this.#t.prefix}`);
    // A gone pid (or a zombie, whose environ reads empty) is fine; a live pid without our marker is refused.
    const script = [
      `e=$(tr '\\0' '\\n' < /proc/${pid}/environ 2>/dev/null) || exit 0`,
      '[ -n "$e" ] || exit 0',
      `printf '%s\\n' "$e" | grep -qx ${marker} || { echo "pid ${pid} is not a process of run ${this.#t.prefix}" >&2; exit 3; }`,
      `kill -s ${signal.replace(/^SIG/, '')} ${pid} 2>/dev/null || true`,
    ].join('\n');
    await this.#sh(script);
  }

  async upload(localPath: string, remotePath: string): Promise<void> {
    const [data, st] = await Promise.all([readFile(localPath), stat(localPath)]);
    const dir = path.posix.dirname(remotePath);
    await this.exec(['mkdir', '-p', dir]);
    try {
      await this.#container.putArchive(packFile(path.posix.basename(remotePath), data, st.mode & 0o7777), { path: dir });
    } catch (e) {
      throw new CommandError(`${this.node}: cannot upload ${localPath} to ${remotePath}: ${engineMessage(e)}`, undefined, { cause: e });
    }
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    let archive: Buffer;
    try {
      archive = await collect(await this.#container.getArchive({ path: remotePath }));
    } catch (e) {
      throw new CommandError(`${this.node}: cannot download ${remotePath}: ${engineMessage(e)}`, undefined, { cause: e });
    }
    await mkdir(path.dirname(localPath), { recursive: true });
    await writeFile(localPath, unpackFirstFile(archive));
  }

  async close(): Promise<void> {}
}
