/**
 * Runs a program on the controller (argv, never a shell) and collects its output. Every command
 * the providers and fault primitives issue locally (ip, nft, tc, iptables) goes through here.
 */
import { spawn } from 'node:child_process';
import { FaultlineError } from '../core/errors.ts';
import type { ExecResult } from '../core/remote.ts';
import { shellJoin } from './quote.ts';

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  /** The whole environment of the program (default: the controller's). */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** Reject on a non-zero exit (default true). */
  check?: boolean;
}

/** A command that exited non-zero, timed out, or could not start. */
export class CommandError extends FaultlineError {
  readonly result: ExecResult | undefined;
  constructor(message: string, result?: ExecResult, options?: { cause?: unknown }) {
    super('E_COMMAND', message, options);
    this.result = result;
  }
}

/** A one-line description of a failed command: what ran, how it ended, the last stderr line. */
export function describeFailure(where: string, argv: readonly string[], r: ExecResult): string {
  const err = r.stderr.trim().split('\n').slice(-3).join(' | ');
  return `${where}: \`${shellJoin(argv)}\` exited ${r.exitCode}${err ? `: ${err}` : ''}`;
}

export function run(argv: readonly string[], opts: RunOptions = {}): Promise<ExecResult> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return Promise.reject(new CommandError('empty command'));
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.env ? { env: { ...opts.env } } : {}),
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {});
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(new CommandError(`cannot run \`${shellJoin(argv)}\`: ${e.message}`, undefined, { cause: e }));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const r: ExecResult = {
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        exitCode: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15),
      };
      if (timedOut) reject(new CommandError(`\`${shellJoin(argv)}\` timed out after ${opts.timeoutMs} ms`, r));
      else if (r.exitCode !== 0 && opts.check !== false) reject(new CommandError(describeFailure('command failed', argv, r), r));
      else resolve(r);
    });
    child.stdin.end(opts.input ?? '');
  });
}
