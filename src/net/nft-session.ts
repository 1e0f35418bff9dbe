/**
 * A long-lived `nft -i` inside one network namespace, so applying or healing a partition costs a
 * pipe write instead of two process spawns (which take ~50 ms each on a loaded 2-core machine).
 * Each command is one line, which nft runs as one atomic transaction. After it we send a lookup
 * of a table that never exists; nft's error for that lookup, which echoes the unique name, marks
 * the end of the command's output: anything on stderr before it is the command's error.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { markerEnv, DEFAULT_PATH } from '../control/marker.ts';

export class NftSession {
  readonly #netns: string;
  readonly #env: Record<string, string>;
  #child: ChildProcessWithoutNullStreams | undefined;
  #stderr = '';
  #seq = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #waiter: (() => void) | undefined;

  /** `prefix`/`node` mark the process so cleanup finds it like any other of the run. */
  constructor(netns: string, prefix: string, node: string) {
    this.#netns = netns;
    this.#env = { PATH: DEFAULT_PATH, ...markerEnv(prefix, node) };
  }

  #start(): ChildProcessWithoutNullStreams {
    const child = spawn('nsenter', [`--net=/run/netns/${this.#netns}`, '--', 'nft', '-i'], { env: this.#env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => {
      this.#stderr += d.toString('utf8');
      this.#waiter?.();
    });
    child.stdin.on('error', () => {});
    child.on('exit', () => {
      if (this.#child === child) this.#child = undefined;
      this.#waiter?.();
    });
    child.on('error', () => {
      if (this.#child === child) this.#child = undefined;
      this.#waiter?.();
    });
    // Idle, the session must not keep the controller alive; #run holds a reference while waiting.
    for (const s of [child.stdin, child.stdout, child.stderr]) handle(s).unref?.();
    child.unref();
    this.#stderr = '';
    this.#child = child;
    return child;
  }

  /** Runs one nft command line (atomic); rejects with nft's error message. */
  run(line: string): Promise<void> {
    if (line.includes('\n')) return Promise.reject(new Error('nft session: a command must be one line'));
    const next = this.#queue.then(() => this.#run(line));
    this.#queue = next.catch(() => {});
    return next;
  }

  async #run(line: string): Promise<void> {
    const child = this.#child ?? this.#start();
    const marker = `flsync${process.pid}x${++this.#seq}`;
    const markerLine = `list table bridge ${marker}\n`;
    child.stdin.write(`${line}\n${markerLine}`);
    handle(child.stderr).ref?.();
    // Wait for the marker's echoed line and the caret line after it.
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        const at = this.#stderr.indexOf(markerLine);
        if (at >= 0 && this.#stderr.indexOf('\n', at + markerLine.length) >= 0) {
          this.#waiter = undefined;
          resolve();
        } else if (this.#child !== child) {
          this.#waiter = undefined;
          reject(new Error(`nft in namespace ${this.#netns} exited: ${this.#stderr.trim().split('\n').slice(-3).join(' | ')}`));
        }
      };
      this.#waiter = check;
      check();
    }).finally(() => handle(child.stderr).unref?.());
    const at = this.#stderr.indexOf(markerLine);
    const before = this.#stderr.slice(0, at).replace(/Error: No such file or directory\n$/, '');
    this.#stderr = this.#stderr.slice(this.#stderr.indexOf('\n', at + markerLine.length) + 1);
    if (before.trim() !== '') throw new Error(`nft: ${before.trim().split('\n').join(' | ')}`);
  }

  close(): void {
    this.#child?.stdin.end();
    this.#child = undefined;
  }
}

function handle(stream: unknown): { ref?: () => void; unref?: () => void } {
  return stream as { ref?: () => void; unref?: () => void };
}
