/**
 * The Remote protocol: run commands and daemons on one node, however it is reached
 * (local network namespace, ssh, docker). DBs and nemeses are written once against it.
 */

export interface ExecOptions {
  /** Text for standard input. */
  input?: string;
  timeoutMs?: number;
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** When true (the default) a non-zero exit rejects with the command, exit code and stderr. */
  check?: boolean;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface DaemonSpec {
  argv: readonly string[];
  /** The daemon's whole environment: daemons never inherit the controller's. */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** Where stdout and stderr go, on the node. */
  logFile: string;
  /**
   * Whether the daemon runs under the provider's fake clock (libfaketime preloaded, for the
   * clock nemesis) where the provider has one; default true. Pass the DB's `honoursFakeClock`:
   * some programs (Redis among them) hang at start-up with libfaketime preloaded.
   */
  fakeClock?: boolean;
}

export interface Remote {
  readonly node: string;
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Starts a long-running process detached from the controller; resolves with its pid. */
  spawnDaemon(spec: DaemonSpec): Promise<number>;
  signal(pid: number, signal: NodeJS.Signals): Promise<void>;
  upload(localPath: string, remotePath: string): Promise<void>;
  download(remotePath: string, localPath: string): Promise<void>;
  close(): Promise<void>;
}
