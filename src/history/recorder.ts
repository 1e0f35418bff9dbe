/**
 * Appends every history event to `history.jsonl` as it happens.
 *
 * Events are written with one write(2) per event-loop turn (so a burst of events costs one
 * syscall, and nothing waits longer than the current turn) and fsynced at least once a second,
 * so a controller killed with SIGKILL leaves a readable history: at worst a torn last line,
 * which the reader drops.
 */
import { closeSync, fsync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { Op } from '../core/op.ts';

const FSYNC_INTERVAL_MS = 500;
const MAX_PENDING_CHARS = 1 << 20;

export class HistoryRecorder {
  readonly path: string;
  #fd: number;
  #pending: string[] = [];
  #pendingChars = 0;
  #flushScheduled = false;
  #dirty = false;
  #syncing = false;
  #timer: NodeJS.Timeout;
  #closed = false;
  #count = 0;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
    this.#timer = setInterval(() => this.#periodicSync(), FSYNC_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Creates (or truncates) the file and starts recording. */
  static async open(path: string): Promise<HistoryRecorder> {
    return new HistoryRecorder(path, openSync(path, 'w'));
  }

  /** Number of events appended so far. */
  get count(): number {
    return this.#count;
  }

  append(op: Op): void {
    if (this.#closed) throw new Error(`history recorder for ${this.path} is closed`);
    const line = JSON.stringify(op) + '\n';
    this.#pending.push(line);
    this.#pendingChars += line.length;
    this.#count++;
    if (this.#pendingChars >= MAX_PENDING_CHARS) {
      this.flush();
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes pending events to the file now (not fsynced). */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#pending.length === 0 || this.#closed) return;
    const data = this.#pending.join('');
    this.#pending = [];
    this.#pendingChars = 0;
    const buf = Buffer.from(data, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(this.#fd, buf, off, buf.length - off);
    this.#dirty = true;
  }

  #periodicSync(): void {
    this.flush();
    if (!this.#dirty || this.#syncing || this.#closed) return;
    this.#dirty = false;
    this.#syncing = true;
    fsync(this.#fd, () => {
      this.#syncing = false;
    });
  }

  /** Flushes, fsyncs and closes the file. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.flush();
    clearInterval(this.#timer);
    this.#closed = true;
    while (this.#syncing) await new Promise((r) => setTimeout(r, 1));
    fsyncSync(this.#fd);
    closeSync(this.#fd);
  }
}
