/**
 * Per-host process control and fake clock over a Remote, for the ssh provider: a node's
 * processes are those carrying the run marker (found by scanning /proc/<pid>/environ on the
 * host, never by name), fault helpers excepted; pause is SIGSTOP/SIGCONT; the clock is a libfaketime offset file on the
 * host that daemons started with `clockEnv` follow.
 */
import { UsageError } from '../../core/errors.ts';
import type { ClockControl, NodeControl } from '../../core/provider.ts';
import type { Remote } from '../../core/remote.ts';
import { FAULT_HELPER_ENV, RUN_VAR } from '../../control/marker.ts';
import { shellQuote } from '../../control/quote.ts';
import { LIBFAKETIME, faketimeOffset } from '../local/clock.ts';

/**
 * Shell script printing the pids that carry `FAULTLINE_RUN=<prefix>`: all of them, or only the
 * node's own (DB) processes, leaving out fault helpers.
 */
export function markedPidsScript(prefix: string, which: 'all' | 'node' = 'all'): string {
  const m = shellQuote(`${RUN_VAR}=${prefix}`);
  if (which === 'all') return `grep -lzx ${m} /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3; true`;
  const [k, v] = Object.entries(FAULT_HELPER_ENV)[0]!;
  const helper = shellQuote(`${k}=${v}`);
  return `for f in $(grep -lzx ${m} /proc/[0-9]*/environ 2>/dev/null); do grep -qzx ${helper} "$f" 2>/dev/null || echo "$f"; done | cut -d/ -f3; true`;
}

export class HostNodeControl implements NodeControl {
  readonly pauseMechanism = 'SIGSTOP';
  readonly #prefix: string;
  readonly #remote: (node: string) => Remote;

  constructor(prefix: string, remote: (node: string) => Remote) {
    this.#prefix = prefix;
    this.#remote = remote;
  }

  async pids(node: string): Promise<number[]> {
    const r = await this.#remote(node).exec(['sh', '-c', markedPidsScript(this.#prefix, 'node')]);
    return r.stdout.split('\n').filter(Boolean).map(Number).filter((p) => Number.isInteger(p));
  }

  async #signalAll(node: string, sig: string): Promise<number[]> {
    const pids = await this.pids(node);
    if (pids.length > 0) await this.#remote(node).exec(['kill', '-s', sig, ...pids.map(String)], { check: false });
    return pids;
  }

  async freeze(node: string): Promise<void> {
    await this.#signalAll(node, 'STOP');
  }

  async thaw(node: string): Promise<void> {
    await this.#signalAll(node, 'CONT');
  }

  async killAll(node: string): Promise<void> {
    await this.#signalAll(node, 'KILL');
    await this.#signalAll(node, 'CONT');
  }
}

export class HostClock implements ClockControl {
  readonly #dir: string;
  readonly #remote: (node: string) => Remote;
  readonly #nodes: Set<string>;
  readonly #offsets = new Map<string, number>();

  constructor(dir: string, nodes: readonly string[], remote: (node: string) => Remote) {
    this.#dir = dir;
    this.#nodes = new Set(nodes);
    this.#remote = remote;
  }

  /** The environment daemons need to follow the node's offset file. */
  clockEnv(): Record<string, string> {
    return { LD_PRELOAD: LIBFAKETIME, FAKETIME_TIMESTAMP_FILE: `${this.#dir}/offset`, FAKETIME_CACHE_DURATION: '1', DONT_FAKE_MONOTONIC: '1' };
  }

  async setOffset(node: string, offsetMs: number): Promise<void> {
    if (!this.#nodes.has(node)) throw new UsageError(`clock: unknown node ${JSON.stringify(node)}`);
    const f = shellQuote(`${this.#dir}/offset`);
    await this.#remote(node).exec(['sh', '-c', `mkdir -p ${shellQuote(this.#dir)} && printf '%s\\n' ${shellQuote(faketimeOffset(offsetMs))} > ${f}.tmp && mv ${f}.tmp ${f}`]);
    this.#offsets.set(node, offsetMs);
  }

  offset(node: string): number {
    return this.#offsets.get(node) ?? 0;
  }
}
