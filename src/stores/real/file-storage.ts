/**
 * DurableStorage on real files in a node's data directory:
 *   log.jsonl   append-only, one JSON record a line: {"i":index,"t":term,"c":command} for an
 *               entry, {"truncate":from} to drop entries from `from` on
 *   state.json  the small state record, replaced atomically (write temp, fsync, rename, fsync dir)
 * In `fsync` mode a flush writes the buffered lines and fdatasyncs before calling back; flushes
 * run one at a time, so callbacks arrive in order and concurrent flushes share one fsync. In
 * `lazy` mode (the no-fsync bug) nothing is synced and buffered writes reach the file only every
 * five seconds, so a killed process loses up to five seconds of acknowledged writes (a SIGKILL
 * cannot lose the page cache, so the loss has to come from a buffer in the process). In
 * `unsynced` mode (the lazy-fsync bug) a flush writes everything to the files at once and calls
 * back, and nothing is ever fsynced (not at open or close either): nothing stays in the process,
 * so a kill loses nothing and only a disk that drops un-fsynced writes (a power loss on the fault
 * filesystem) shows the bug.
 * The log file is grown ahead of the data in zero-filled chunks, so that an fdatasync only has to
 * flush data, not the file's new size (about 1.5x cheaper here); the data ends at the first NUL.
 * Loading tolerates a torn last line (cut by a crash mid-write, never acknowledged) and names
 * file and line of any other damage.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../../core/errors.ts';
import type { DurableContents, DurableStorage, LogRecord } from '../runtime.ts';

export type SyncMode = 'fsync' | 'lazy' | 'unsynced';

const LAZY_WRITE_MS = 5000;
const PREALLOCATE_BYTES = 1024 * 1024;

export class FileStorage implements DurableStorage {
  private readonly fd: number;
  private readonly dir: string;
  private readonly mode: SyncMode;
  private readonly onFatal: (err: Error) => void;
  private readonly contents: DurableContents;
  private pendingText = '';
  private pendingState: Record<string, unknown> | undefined;
  private waiting: (() => void)[] = [];
  private busy = false;
  private nextIndex: number;
  /** Byte offset of the end of the log data. */
  private position: number;
  /** Bytes of the file already allocated (zero-filled) ahead of the data. */
  private allocated: number;
  private lazyTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    dir: string,
    fd: number,
    contents: DurableContents,
    position: number,
    mode: SyncMode,
    onFatal: (err: Error) => void,
  ) {
    this.dir = dir;
    this.fd = fd;
    this.contents = contents;
    this.position = position;
    this.allocated = position;
    this.mode = mode;
    this.onFatal = onFatal;
    this.nextIndex = contents.log.length + 1;
  }

  /** Opens (creating if needed) the store in `dir`, reading what a previous run left there. */
  static open(dir: string, opts: { mode: SyncMode; onFatal: (err: Error) => void }): FileStorage {
    fs.mkdirSync(dir, { recursive: true });
    const logPath = path.join(dir, 'log.jsonl');
    const { log, goodBytes } = readLog(logPath);
    const state = readState(path.join(dir, 'state.json'));
    const fd = fs.openSync(logPath, fs.constants.O_WRONLY | fs.constants.O_CREAT);
    fs.ftruncateSync(fd, goodBytes);
    if (opts.mode !== 'unsynced') {
      fs.fsyncSync(fd);
      syncDir(dir);
    }
    return new FileStorage(dir, fd, { state, log }, goodBytes, opts.mode, opts.onFatal);
  }

  load(): DurableContents {
    return this.contents;
  }

  append(records: readonly LogRecord[]): void {
    for (const r of records) {
      this.pendingText += JSON.stringify({ i: this.nextIndex++, t: r.term, c: r.command }) + '\n';
    }
  }

  truncate(from: number): void {
    this.pendingText += JSON.stringify({ truncate: from }) + '\n';
    this.nextIndex = Math.min(this.nextIndex, from);
  }

  saveState(state: Record<string, unknown>): void {
    this.pendingState = { ...state };
  }

  flush(done: () => void): void {
    if (this.mode === 'lazy') {
      this.lazyTimer ??= setTimeout(() => {
        this.lazyTimer = undefined;
        this.writeBuffered();
      }, LAZY_WRITE_MS);
      queueMicrotask(done);
      return;
    }
    if (this.mode === 'unsynced') {
      this.writeBuffered();
      queueMicrotask(done);
      return;
    }
    this.waiting.push(done);
    if (!this.busy) void this.syncLoop();
  }

  /** Writes and syncs whatever is buffered (unsynced mode: only writes), then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.lazyTimer) clearTimeout(this.lazyTimer);
    await new Promise<void>(resolve => {
      if (this.mode !== 'fsync') this.writeBuffered();
      this.waiting.push(resolve);
      if (!this.busy) void this.syncLoop();
    });
    this.closed = true;
    if (this.mode !== 'unsynced') fs.fdatasyncSync(this.fd);
    fs.closeSync(this.fd);
  }

  private async syncLoop(): Promise<void> {
    this.busy = true;
    try {
      while (this.waiting.length > 0) {
        const callbacks = this.waiting;
        this.waiting = [];
        const state = this.pendingState;
        this.pendingState = undefined;
        // Nothing new since the last completed sync: it already covers every earlier write.
        if (this.writeText()) {
          await new Promise<void>((resolve, reject) => fs.fdatasync(this.fd, err => (err ? reject(err) : resolve())));
        } else {
          await new Promise<void>(resolve => setImmediate(resolve));
        }
        if (state) await this.writeStateFile(state);
        for (const cb of callbacks) cb();
      }
    } catch (err) {
      this.onFatal(err as Error);
    } finally {
      this.busy = false;
    }
  }

  /** Writes the buffered lines; false when there were none. */
  private writeText(): boolean {
    if (this.pendingText === '') return false;
    const buf = Buffer.from(this.pendingText, 'utf8');
    this.pendingText = '';
    if (this.position + buf.length > this.allocated) this.preallocate(this.position + buf.length);
    let written = 0;
    while (written < buf.length) written += fs.writeSync(this.fd, buf, written, buf.length - written, this.position + written);
    this.position += buf.length;
    return true;
  }

  /** Zero-fills the file up to at least `end`, a whole chunk at a time. */
  private preallocate(end: number): void {
    const target = Math.ceil(end / PREALLOCATE_BYTES) * PREALLOCATE_BYTES;
    const zeros = Buffer.alloc(Math.min(target - this.allocated, PREALLOCATE_BYTES));
    while (this.allocated < target) {
      const n = Math.min(zeros.length, target - this.allocated);
      this.allocated += fs.writeSync(this.fd, zeros, 0, n, this.allocated);
    }
  }

  private writeBuffered(): void {
    try {
      this.writeText();
      if (this.pendingState) {
        const final = path.join(this.dir, 'state.json');
        fs.writeFileSync(`${final}.tmp`, JSON.stringify(this.pendingState));
        fs.renameSync(`${final}.tmp`, final);
        this.pendingState = undefined;
      }
    } catch (err) {
      this.onFatal(err as Error);
    }
  }

  private async writeStateFile(state: Record<string, unknown>): Promise<void> {
    const final = path.join(this.dir, 'state.json');
    const tmp = `${final}.tmp`;
    const handle = await fs.promises.open(tmp, 'w');
    try {
      await handle.writeFile(JSON.stringify(state));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, final);
    syncDir(this.dir);
  }
}

function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function readLog(file: string): { log: LogRecord[]; goodBytes: number } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { log: [], goodBytes: 0 };
    throw err;
  }
  const nul = text.indexOf('\0');
  if (nul !== -1) text = text.slice(0, nul);
  const log: LogRecord[] = [];
  let offset = 0;
  let line = 0;
  while (offset < text.length) {
    const end = text.indexOf('\n', offset);
    line++;
    if (end === -1) break; // torn last line: never acknowledged, dropped
    const rec = parseRecord(text.slice(offset, end), file, line);
    if ('truncate' in rec) {
      if (rec.truncate < 1 || rec.truncate > log.length + 1) {
        throw new InputError(`truncate to ${rec.truncate} but the log has ${log.length} entries`, { file, line });
      }
      log.length = rec.truncate - 1;
    } else {
      if (rec.i !== log.length + 1) throw new InputError(`entry index ${rec.i}, expected ${log.length + 1}`, { file, line });
      log.push({ term: rec.t, command: rec.c });
    }
    offset = end + 1;
  }
  return { log, goodBytes: Buffer.byteLength(text.slice(0, offset), 'utf8') };
}

type LogLine = { i: number; t: number; c: unknown } | { truncate: number };

function parseRecord(text: string, file: string, line: number): LogLine {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new InputError('log record is not valid JSON', { file, line });
  }
  const r = v as Record<string, unknown>;
  if (typeof r === 'object' && r !== null) {
    if (Number.isInteger(r.truncate)) return { truncate: r.truncate as number };
    if (Number.isInteger(r.i) && Number.isInteger(r.t) && 'c' in r) return { i: r.i as number, t: r.t as number, c: r.c };
  }
  throw new InputError('log record must be {"i","t","c"} or {"truncate"}', { file, line });
}

function readState(file: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new InputError('state file is not a JSON object', { file, line: 1 });
}
