/**
 * Simulated disks. A `SimDisk` is what survives a crash: the log records and the state record
 * that were made durable. Each incarnation of a node writes through a `SimStorage`, which queues
 * writes in the process until a flush makes them durable, so a crash loses every write not yet
 * flushed, as a power cut does.
 *
 * Sync modes, as the real FileStorage has them: `fsync` makes a flush durable after a drawn
 * fsync latency, then calls back; `lazy` (the no-fsync bug) calls back at once and writes what
 * is buffered only five seconds after the first unwritten flush, so a crash loses up to five
 * seconds of acknowledged writes.
 */
import type { DurableContents, DurableStorage, LogRecord } from '../stores/runtime.ts';
import type { SyncMode } from '../stores/real/file-storage.ts';
import { jsonCopyOf } from './json-copy.ts';

/** The delay before buffered writes reach the disk in lazy mode (as real/file-storage.ts). */
export const LAZY_WRITE_MS = 5000;

type DiskOp = { kind: 'append'; records: LogRecord[] } | { kind: 'truncate'; from: number } | { kind: 'state'; state: Record<string, unknown> };

export class SimDisk {
  state: Record<string, unknown> | undefined;
  log: LogRecord[] = [];

  apply(op: DiskOp): void {
    if (op.kind === 'append') for (const r of op.records) this.log.push(r);
    else if (op.kind === 'truncate') this.log.length = Math.min(this.log.length, op.from - 1);
    else this.state = op.state;
  }

  contents(): DurableContents {
    // The real disk holds JSON, so what comes back is what a JSON round trip gives.
    return { state: this.state ? jsonCopyOf(this.state) : undefined, log: this.log.map((r) => jsonCopyOf(r)) };
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
    if (this.#mode === 'lazy') {
      if (!this.#lazyPending) {
        this.#lazyPending = true;
        host.later(LAZY_WRITE_MS, () => {
          this.#lazyPending = false;
          if (host.alive()) this.#applyUpTo(this.#ops.length);
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
}
