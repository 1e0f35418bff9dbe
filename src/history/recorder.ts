/**
 * Appends every history event to `history.jsonl` as it happens.
 *
 * Events are written with one write(2) per event-loop turn (so a burst of events costs one
 * syscall, and nothing waits longer than the current turn) and fsynced at least once a second,
 * so a controller killed with SIGKILL leaves a readable history: at worst a torn last line,
 * which the reader drops. A write that fails (a full disk) never throws into the run: the
 * recorder stops recording, counts what it could not keep, and reports the error once through
 * `onError`, so the run can stop, heal and tear down.
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
  #failed: Error | undefined;
  #lost = 0;
  readonly #onError: (e: Error) => void;

  private constructor(path: string, fd: number, onError: (e: Error) => void) {
    this.path = path;
    this.#fd = fd;
    this.#onError = onError;
    this.#timer = setInterval(() => this.#periodicSync(), FSYNC_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Creates (or truncates) the file and starts recording; `onError` hears of a failed write, once. */
  static async open(path: string, onError: (e: Error) => void = () => {}): Promise<HistoryRecorder> {
    return new HistoryRecorder(path, openSync(path, 'w'), onError);
  }

  /** Number of events appended so far. */
  get count(): number {
    return this.#count;
  }

  /** The write error that stopped recording, if one did. */
  get failed(): Error | undefined {
    return this.#failed;
  }

  /** Events appended that could not be written (after a failed write). */
  get lost(): number {
    return this.#lost;
  }

  append(op: Op): void {
    if (this.#closed) throw new Error(`history recorder for ${this.path} is closed`);
    if (this.#failed) {
      this.#lost++;
      return;
    }
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
    if (this.#pending.length === 0 || this.#closed || this.#failed) return;
    const data = this.#pending.join('');
    const events = this.#pending.length;
    this.#pending = [];
    this.#pendingChars = 0;
    const buf = Buffer.from(data, 'utf8');
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.#fd, buf, off, buf.length - off);
    } catch (e) {
      this.#fail(e, events);
      return;
    }
    this.#dirty = true;
  }

  #fail(e: unknown, lostEvents: number): void {
    this.#failed = e instanceof Error ? e : new Error(String(e));
    this.#lost += lostEvents;
    this.#onError(this.#failed);
  }

  #periodicSync(): void {
    this.flush();
    if (!this.#dirty || this.#syncing || this.#closed) return;
    this.#dirty = false;
    this.#syncing = true;
    fsync(this.#fd, (e) => {
      this.#syncing = false;
      if (e && !this.#failed) this.#fail(e, 0);
    });
  }

  /** Flushes, fsyncs and closes the file. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.flush();
    clearInterval(this.#timer);
    this.#closed = true;
    while (this.#syncing) await new Promise((r) => setTimeout(r, 1));
    try {
      fsyncSync(this.#fd);
    } catch (e) {
      if (!this.#failed) this.#fail(e, 0);
    }
    closeSync(this.#fd);
  }
}
