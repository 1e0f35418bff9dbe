/**
 * The ssh Remote (ssh2): key authentication, host keys checked against known_hosts by default,
 * one connection per node reused by every command, `sudo -n` when the user is not root. Commands
 * travel as one shell line built from the argv with safe quoting; daemons start detached under
 * `setsid` with a clean environment plus the run marker; upload/download stream through
 * `cat` so they work under sudo too.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import ssh2 from 'ssh2';
import type { ClientChannel } from 'ssh2';
import { FaultlineError } from '../core/errors.ts';
import type { DaemonSpec, ExecOptions, ExecResult, Remote } from '../core/remote.ts';
import { type HostKeyPolicy, verifyHostKey } from './known-hosts.ts';
import { RUN_VAR, daemonEnv } from './marker.ts';
import { CommandError, describeFailure } from './run.ts';
import { envWords, shellJoin, shellQuote } from './quote.ts';

export interface SshTarget {
  node: string;
  host: string;
  port?: number;
  user: string;
  /** Path of the private key file. */
  privateKeyFile: string;
  passphrase?: string;
  knownHostsFile: string;
  /** Default "strict". */
  hostKeyPolicy?: HostKeyPolicy;
  /** Run commands through `sudo -n`; default: when the user is not root. */
  sudo?: boolean;
  /** Run prefix for the daemon marker. */
  prefix: string;
  /** Extra environment for every daemon (e.g. libfaketime settings). */
  daemonEnv?: Readonly<Record<string, string>>;
  connectTimeoutMs?: number;
}

/** The shell line that runs `argv` with options, as the remote login shell will see it. */
export function buildCommand(argv: readonly string[], opts: { env?: Readonly<Record<string, string>>; cwd?: string; sudo: boolean }): string {
  const words = [...(opts.sudo ? ['sudo', '-n', '--'] : []), ...(opts.env && Object.keys(opts.env).length > 0 ? ['env', ...envWords(opts.env)] : []), ...argv];
  const line = shellJoin(words);
  return opts.cwd ? `cd ${shellQuote(opts.cwd)} && ${line}` : line;
}

/**
 * The command that starts a daemon detached and prints its pid. The starting shell already runs
 * with the daemon's clean environment (marker included), so the pid carries the marker from the
 * moment it exists; the background job is one simple command, so `$!` is the daemon itself.
 */
export function daemonCommand(spec: DaemonSpec, env: Readonly<Record<string, string>>, sudo: boolean): string {
  const cd = spec.cwd ? ` && cd ${shellQuote(spec.cwd)}` : '';
  const script = `mkdir -p ${shellQuote(path.posix.dirname(spec.logFile))}${cd} || exit 1; setsid ${shellJoin(spec.argv)} >>${shellQuote(spec.logFile)} 2>&1 </dev/null & echo $!`;
  return shellJoin([...(sudo ? ['sudo', '-n', '--'] : []), 'env', '-i', ...envWords(env), 'sh', '-c', script]);
}

/** A script left running on a host by `SshRemote.session`. */
export interface HeldSession {
  /** The first line the script printed, without its newline. */
  readonly firstLine: string;
  /** Sends `line` to the script's standard input, closes it, and waits until the script has ended. */
  finish(line: string): Promise<void>;
}

export class SshRemote implements Remote {
  readonly node: string;
  readonly #t: SshTarget;
  #client: Promise<ssh2.Client> | undefined;
  /** How many connections were opened (reuse keeps this at 1). */
  connections = 0;

  constructor(t: SshTarget) {
    this.node = t.node;
    this.#t = t;
  }

  get #sudo(): boolean {
    return this.#t.sudo ?? this.#t.user !== 'root';
  }

  #connect(): Promise<ssh2.Client> {
    this.#client ??= this.#open().catch((e: unknown) => {
      this.#client = undefined;
      throw e;
    });
    return this.#client;
  }

  async #open(): Promise<ssh2.Client> {
    const t = this.#t;
    const port = t.port ?? 22;
    const privateKey = await readFile(t.privateKeyFile).catch((e: Error) => {
      throw new FaultlineError('E_SSH', `${this.node}: cannot read private key ${t.privateKeyFile}: ${e.message}`);
    });
    const client = new ssh2.Client();
    let hostKeyProblem: string | undefined;
    this.connections++;
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', (e: Error) =>
        reject(new FaultlineError('E_SSH', `${this.node}: ssh ${t.user}@${t.host}:${port}: ${hostKeyProblem ?? e.message}`, { cause: e })),
      );
      client.connect({
        host: t.host,
        port,
        username: t.user,
        privateKey,
        ...(t.passphrase ? { passphrase: t.passphrase } : {}),
        readyTimeout: t.connectTimeoutMs ?? 10_000,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          verifyHostKey(t.knownHostsFile, t.host, port, key, t.hostKeyPolicy ?? 'strict').then(
            (v) => {
              if (!v.ok) hostKeyProblem = v.reason;
              verify(v.ok);
            },
            (e: Error) => {
              hostKeyProblem = `host key check failed: ${e.message}`;
              verify(false);
            },
          );
        },
      });
    });
    client.on('close', () => {
      this.#client = undefined;
    });
    client.on('error', () => {
      this.#client = undefined;
    });
    return client;
  }

  async #run(command: string, input: string | NodeJS.ReadableStream | undefined, timeoutMs: number | undefined, sink?: NodeJS.WritableStream): Promise<ExecResult> {
    const client = await this.#connect();
    const ch = await new Promise<ClientChannel>((resolve, reject) =>
      client.exec(command, (err, channel) => (err ? reject(new FaultlineError('E_SSH', `${this.node}: ${err.message}`)) : resolve(channel))),
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          ch.signal('KILL');
          ch.close();
        }, timeoutMs)
      : undefined;
    const done = new Promise<ExecResult>((resolve) => {
      let code = -1;
      ch.on('exit', (c: number | null, signal?: string) => {
        code = c ?? (signal ? 128 + 9 : -1);
      });
      ch.on('close', () => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode: code }));
    });
    const copying = sink ? pipeline(ch, sink) : undefined;
    if (!sink) ch.on('data', (b: Buffer) => out.push(b));
    ch.stderr.on('data', (b: Buffer) => err.push(b));
    if (input === undefined || typeof input === 'string') ch.end(input ?? '');
    else await pipeline(input, ch, { end: true }).catch(() => {});
    const r = await done;
    await copying?.catch(() => {});
    if (timer) clearTimeout(timer);
    if (timedOut) throw new CommandError(`${this.node}: \`${command}\` timed out after ${timeoutMs} ms`, r);
    return r;
  }

  async exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const command = buildCommand(argv, { ...(opts.env ? { env: opts.env } : {}), ...(opts.cwd ? { cwd: opts.cwd } : {}), sudo: this.#sudo });
    const r = await this.#run(command, opts.input, opts.timeoutMs);
    if (r.exitCode !== 0 && opts.check !== false) throw new CommandError(describeFailure(this.node, argv, r), r);
    return r;
  }

  /** Runs a script with `sh -c` (under sudo when needed). */
  async #sh(script: string, input?: string | NodeJS.ReadableStream, sink?: NodeJS.WritableStream): Promise<ExecResult> {
    const words = [...(this.#sudo ? ['sudo', '-n', '--'] : []), 'sh', '-c', script];
    const r = await this.#run(shellJoin(words), input, undefined, sink);
    if (r.exitCode !== 0) throw new CommandError(describeFailure(this.node, ['sh', '-c', script], r), r);
    return r;
  }

  /**
   * Starts `sh -c script sh ...args` (under sudo when needed) and leaves it running: resolves once
   * it printed its first line. What the script holds (a file lock, say) lives as long as the
   * script, which can wait on its standard input: that input ends when `finish` closes it, and
   * also when this connection goes away (the controller died), because sshd then closes it.
   * Rejects when the script ends before printing a line.
   */
  async session(script: string, args: readonly string[] = []): Promise<HeldSession> {
    const client = await this.#connect();
    const command = shellJoin([...(this.#sudo ? ['sudo', '-n', '--'] : []), 'sh', '-c', script, 'sh', ...args]);
    const ch = await new Promise<ClientChannel>((resolve, reject) =>
      client.exec(command, (err, channel) => (err ? reject(new FaultlineError('E_SSH', `${this.node}: ${err.message}`)) : resolve(channel))),
    );
    let out = '';
    let err = '';
    let exitCode = -1;
    ch.on('exit', (c: number | null) => (exitCode = c ?? -1));
    ch.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const closed = new Promise<void>((resolve) => ch.once('close', () => resolve()));
    const firstLine = await new Promise<string>((resolve, reject) => {
      ch.on('data', (b: Buffer) => {
        out += b.toString();
        const nl = out.indexOf('\n');
        if (nl >= 0) resolve(out.slice(0, nl));
      });
      void closed.then(() => reject(new CommandError(describeFailure(this.node, ['sh', '-c', script], { stdout: out, stderr: err, exitCode }), { stdout: out, stderr: err, exitCode })));
    });
    return {
      firstLine,
      async finish(line: string): Promise<void> {
        ch.end(`${line}\n`);
        await closed;
      },
    };
  }

  async spawnDaemon(spec: DaemonSpec): Promise<number> {
    if (spec.argv.length === 0) throw new CommandError(`${this.node}: empty daemon command`);
    const env = daemonEnv(spec, this.#t.daemonEnv, this.#t.prefix, this.node);
    const command = daemonCommand(spec, env, this.#sudo);
    const r = await this.#run(command, undefined, undefined);
    if (r.exitCode !== 0) throw new CommandError(describeFailure(this.node, spec.argv, r), r);
    const pid = Number(r.stdout.trim().split('\n').pop());
    if (!Number.isInteger(pid) || pid <= 0) throw new CommandError(`${this.node}: could not read the daemon's pid from ${JSON.stringify(r.stdout)}`);
    return pid;
  }

  async signal(pid: number, signal: NodeJS.Signals): Promise<void> {
    if (!Number.isInteger(pid) || pid <= 0) throw new CommandError(`${this.node}: bad pid ${pid}`);
    const sig = signal.replace(/^SIG/, '');
    const marker = shellQuote(`${RUN_VAR}=${this.#t.prefix}`);
    // Refuse pids that are alive but do not carry this run's marker; a gone pid is fine.
    // An environ that reads empty is either a zombie (gone) or a process inside execve (retry).
    const script = [
      'i=0',
      `while :; do e=$(tr '\\0' '\\n' < /proc/${pid}/environ 2>/dev/null) || exit 0`,
      `  [ -n "$e" ] && break`,
      `  [ "$(sed 's/.*) //' /proc/${pid}/stat 2>/dev/null | cut -c1)" = Z ] && exit 0`,
      `  i=$((i+1)); [ $i -gt 200 ] && exit 0; sleep 0.01`,
      'done',
      `printf '%s\\n' "$e" | grep -qx ${marker} || { echo "pid ${pid} is not a process of run ${this.#t.prefix}" >&2; exit 3; }`,
      `kill -s ${sig} ${pid} 2>/dev/null || true`,
    ].join('\n');
    await this.#sh(script);
  }

  async upload(localPath: string, remotePath: string): Promise<void> {
    const dir = shellQuote(path.posix.dirname(remotePath));
    await this.#sh(`mkdir -p ${dir} && cat > ${shellQuote(remotePath)}`, createReadStream(localPath));
  }

  async download(remotePath: string, localPath: string): Promise<void> {
    await mkdir(path.dirname(localPath), { recursive: true });
    await this.#sh(`cat ${shellQuote(remotePath)}`, undefined, createWriteStream(localPath));
  }

  async close(): Promise<void> {
    const c = this.#client;
    this.#client = undefined;
    if (c) (await c.catch(() => undefined))?.end();
  }
}
