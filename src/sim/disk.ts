/**
 * Simulated disks. A `SimDisk` is what outlives a node's process: the log records and the state
 * record that were fsynced, and on top of them the writes that reached the OS but were never
 * fsynced (the page cache), which survive a crash of the process and are lost in a power loss.
 * Each incarnation of a node writes through a `SimStorage`, which queues writes in the process
 * until a flush hands them on, so a crash loses every write not yet flushed.
 *
 * Sync modes, as the real FileStorage has them: `fsync` makes a flush durable after a drawn
 * fsync latency, then calls back; `lazy` (the no-fsync bug) calls back at once and writes what
 * is buffered to the page cache only five seconds after the first unwritten flush, so a crash
 * loses up to five seconds of acknowledged writes; `unsynced` (the lazy-fsync bug) writes to the
 * page cache at once and calls back, so only a power loss loses acknowledged writes.
 */
import type { DurableContents, DurableStorage, LogRecord } from '../stores/runtime.ts';
import type { SyncMode } from '../stores/real/file-storage.ts';
import { jsonCopyOf } from './json-copy.ts';

/** The delay before buffered writes reach the disk in lazy mode (as real/file-storage.ts). */
export const LAZY_WRITE_MS = 5000;

type DiskOp = { kind: 'append'; records: LogRecord[] } | { kind: 'truncate'; from: number } | { kind: 'state'; state: Record<string, unknown> };

function applyTo(d: { state: Record<string, unknown> | undefined; log: LogRecord[] }, op: DiskOp): void {
  if (op.kind === 'append') for (const r of op.records) d.log.push(r);
  else if (op.kind === 'truncate') d.log.length = Math.min(d.log.length, op.from - 1);
  else d.state = op.state;
}

export class SimDisk {
  state: Record<string, unknown> | undefined;
  log: LogRecord[] = [];
  /** Written but never fsynced, in order: survives a crash, not a power loss. */
  pageCache: DiskOp[] = [];

  /** Makes a write durable (an fsync returned). */
  apply(op: DiskOp): void {
    applyTo(this, op);
  }

  /** What a process starting now reads: the durable contents with the page cache on top. */
  contents(): DurableContents {
    // The real disk holds JSON, so what comes back is what a JSON round trip gives.
    const view: DurableContents = { state: this.state ? jsonCopyOf(this.state) : undefined, log: this.log.map((r) => jsonCopyOf(r)) };
    for (const op of this.pageCache) applyTo(view, jsonCopyOf(op));
    return view;
  }

  /** Power lost: every write that was not fsynced is gone; returns how many. */
  losePower(): number {
    const lost = this.pageCache.length;
    this.pageCache = [];
    return lost;
  }
}

/** What a SimStorage needs from the simulator. */
export interface StorageHost {
  /** Simulated ms now. */
  now(): number;
  /** Runs `fn` after `ms` whatever the node's state (the kernel finishing a write). */
  later(ms: number, fn: () => void): void;
  /** Runs `fn` as the node: now, or when it resumes if it is paused. */
  asNode(fn: () => void): void;
  fsyncMs(): number;
  /** Whether this incarnation is still running (not crashed). */
  alive(): boolean;
}

export class SimStorage implements DurableStorage {
  readonly #disk: SimDisk;
  readonly #host: StorageHost;
  readonly #mode: SyncMode;
  readonly #ops: DiskOp[] = [];
  #applied = 0;
  #lastSyncAt = 0;
  #lazyPending = false;

  constructor(disk: SimDisk, host: StorageHost, mode: SyncMode) {
    this.#disk = disk;
    this.#host = host;
    this.#mode = mode;
  }

  load(): DurableContents {
    return this.#disk.contents();
  }

  append(records: readonly LogRecord[]): void {
    this.#ops.push({ kind: 'append', records: records.map((r) => jsonCopyOf(r)) });
  }

  truncate(from: number): void {
    this.#ops.push({ kind: 'truncate', from });
  }

  saveState(state: Record<string, unknown>): void {
    this.#ops.push({ kind: 'state', state: jsonCopyOf(state) });
  }

  flush(done: () => void): void {
    const host = this.#host;
    if (this.#mode === 'unsynced') {
      const upTo = this.#ops.length;
      host.later(0, () => {
        if (!host.alive()) return;
        this.#cacheUpTo(upTo);
        host.asNode(done);
      });
      return;
    }
    if (this.#mode === 'lazy') {
      if (!this.#lazyPending) {
        this.#lazyPending = true;
        host.later(LAZY_WRITE_MS, () => {
          this.#lazyPending = false;
          if (host.alive()) this.#cacheUpTo(this.#ops.length);
        });
      }
      host.later(0, () => host.alive() && host.asNode(done));
      return;
    }
    // Flushes complete in the order issued, each after its own drawn latency; the data is
    // durable when the fsync returns, even if the node is paused and hears of it later.
    const upTo = this.#ops.length;
    const at = Math.max(host.now() + host.fsyncMs(), this.#lastSyncAt);
    this.#lastSyncAt = at;
    host.later(at - host.now(), () => {
      if (!host.alive()) return;
      this.#applyUpTo(upTo);
      host.asNode(done);
    });
  }

  #applyUpTo(upTo: number): void {
    while (this.#applied < upTo) this.#disk.apply(this.#ops[this.#applied++]!);
  }

  /** Hands writes to the OS without an fsync. */
  #cacheUpTo(upTo: number): void {
    while (this.#applied < upTo) this.#disk.pageCache.push(this.#ops[this.#applied++]!);
  }
}
