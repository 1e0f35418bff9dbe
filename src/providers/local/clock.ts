/**
 * Per-node fake wall clock for the local provider: every daemon starts under libfaketime reading
 * its node's offset file (re-read at most once a second), and the clock nemesis rewrites that
 * file. The monotonic clock is left alone (DONT_FAKE_MONOTONIC), so timers keep working. Works
 * for libc and Node processes; Go binaries (etcd) read the clock through the vDSO and ignore it.
 * The machine clock is never touched.
 */
import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../core/errors.ts';
import type { ClockControl } from '../../core/provider.ts';

export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
export const LIBFAKETIME_APT = 'libfaketime';

export async function hasLibfaketime(): Promise<boolean> {
  return access(LIBFAKETIME).then(() => true, () => false);
}

/** libfaketime's relative-offset syntax, in seconds with millisecond precision: "+1.250". */
export function faketimeOffset(offsetMs: number): string {
  const s = (Math.abs(offsetMs) / 1000).toFixed(3);
  return `${offsetMs < 0 ? '-' : '+'}${s}`;
}

export class FileClock implements ClockControl {
  readonly #dir: string;
  readonly #nodes: Set<string>;
  readonly #offsets = new Map<string, number>();

  constructor(dir: string, nodes: readonly string[]) {
    this.#dir = dir;
    this.#nodes = new Set(nodes);
  }

  fileFor(node: string): string {
    return path.join(this.#dir, node);
  }

  /** The environment a daemon of `node` needs to follow its offset file. */
  daemonEnv(node: string): Record<string, string> {
    return {
      LD_PRELOAD: LIBFAKETIME,
      FAKETIME_TIMESTAMP_FILE: this.fileFor(node),
      FAKETIME_CACHE_DURATION: '1',
      DONT_FAKE_MONOTONIC: '1',
    };
  }

  async init(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    for (const n of this.#nodes) await this.setOffset(n, 0);
  }

  async setOffset(node: string, offsetMs: number): Promise<void> {
    if (!this.#nodes.has(node)) throw new UsageError(`clock: unknown node ${JSON.stringify(node)}`);
    if (!Number.isFinite(offsetMs)) throw new UsageError(`clock: bad offset ${offsetMs}`);
    const file = this.fileFor(node);
    const tmp = `${file}.tmp`;
    await writeFile(tmp, faketimeOffset(offsetMs) + '\n');
    await rename(tmp, file);
    this.#offsets.set(node, offsetMs);
  }

  offset(node: string): number {
    return this.#offsets.get(node) ?? 0;
  }
}
