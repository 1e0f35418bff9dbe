/**
 * Reads our history format: JSONL, one Op per line, as written by the recorder: whole
 * (`readHistoryFile`) or chunk by chunk for checking in one pass (`scanHistoryFile`).
 *
 * A controller killed mid-write can leave a torn last line; that line is dropped and reported
 * (`tornLastLine`). Any other line that is not a JSON object with the op fields is an InputError
 * naming the file and line.
 *
 * Speed (histories reach hundreds of megabytes): the file is read in byte chunks cut at the last
 * newline (a newline byte never occurs inside a multi-byte UTF-8 character), and a chunk of
 * complete lines is parsed with one JSON.parse as an array. Only when that fails, or the element
 * count differs from the line count (a blank line, two values on one line), is the chunk parsed
 * line by line, which names the bad line. All-ASCII chunks skip UTF-8 decoding; other chunks must be
 * valid UTF-8 (an InputError names the line and byte of the first bad sequence).
 */
import { isAscii } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import type { Op } from '../core/op.ts';
import { assertUtf8, cutUtf8Tail } from './utf8.ts';

export interface ReadResult {
  history: Op[];
  /** True when the last line was cut off mid-write and was dropped. */
  tornLastLine: boolean;
}

const CHUNK_BYTES = 1 << 20;
const OP_FIELDS = ['type', 'process', 'f'] as const;

function lineWhere(file: string | undefined, line: number): { file?: string; line: number } {
  return file === undefined ? { line } : { file, line };
}

/** Checks a parsed line is an op and fills defaults; throws an InputError naming the line. */
function toOp(parsed: unknown, lineNo: number, file: string | undefined, expectedIndex: number): Op {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InputError('expected a JSON object (one op per line)', lineWhere(file, lineNo));
  }
  const op = parsed as Record<string, unknown>;
  for (const field of OP_FIELDS) {
    if (!(field in op)) throw new InputError(`op has no "${field}" field`, lineWhere(file, lineNo));
  }
  if (op['index'] === undefined) op['index'] = expectedIndex;
  if (op['time'] === undefined) op['time'] = expectedIndex;
  if (op['value'] === undefined) op['value'] = null;
  return op as Op;
}

/** Parses one line; throws an InputError naming the line on malformed input. */
function parseLine(line: string, lineNo: number, file: string | undefined, expectedIndex: number): Op {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (e) {
    throw new InputError(`malformed JSON: ${(e as Error).message}`, lineWhere(file, lineNo));
  }
  return toOp(parsed, lineNo, file, expectedIndex);
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Parses `text`, whole lines each ending in a newline, numbered from `firstLine`, onto `out`;
 * ops without an index get `base + out.length`. Returns the number of lines read.
 */
function parseCompleteLines(text: string, firstLine: number, file: string | undefined, out: Op[], base: number): number {
  const lines = countNewlines(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(`[${text.slice(0, text.length - 1).replaceAll('\n', ',')}]`);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === lines) {
    for (let i = 0; i < lines; i++) out.push(toOp(parsed[i], firstLine + i, file, base + out.length));
    return lines;
  }
  let lineNo = firstLine;
  for (let start = 0; start < text.length; lineNo++) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line !== '') out.push(parseLine(line, lineNo, file, base + out.length));
  }
  return lines;
}

/** Parses the last line when it has no newline: a line that does not parse is torn (dropped). */
function parseTail(tail: string, lineNo: number, file: string | undefined, out: Op[], base: number): boolean {
  const line = tail.trim();
  if (line === '') return false;
  try {
    out.push(parseLine(line, lineNo, file, base + out.length));
    return false;
  } catch (e) {
    if (e instanceof InputError) return true;
    throw e;
  }
}

/**
 * The text of whole lines, the first of them line `firstLine`; ASCII (the usual case) decodes byte
 * for byte, skipping UTF-8 decoding. Bytes that are not UTF-8 are an InputError, except a character
 * cut short at the end of a last line without newline (`torn`), which the torn-line check drops.
 */
function decode(bytes: Buffer, file: string, firstLine: number, torn = false): string {
  if (isAscii(bytes)) return bytes.toString('latin1');
  assertUtf8(torn ? bytes.subarray(0, bytes.length - cutUtf8Tail(bytes)) : bytes, file, firstLine);
  return bytes.toString('utf8');
}

/** Parses JSONL text. A final line without a newline that does not parse counts as torn. */
export function parseHistoryJsonl(text: string, file?: string): ReadResult {
  const history: Op[] = [];
  const lastNl = text.lastIndexOf('\n');
  const lines = parseCompleteLines(text.slice(0, lastNl + 1), 1, file, history, 0);
  const tornLastLine = parseTail(text.slice(lastNl + 1), lines + 1, file, history, 0);
  return { history, tornLastLine };
}

/** What scanning a history file found besides its ops. */
export interface ScanResult {
  /** Ops read. */
  events: number;
  /** True when the last line was cut off mid-write and was dropped. */
  tornLastLine: boolean;
}

/**
 * Reads a JSONL history file in chunks of whole lines and hands each chunk's ops, in order, to
 * `onOps` (awaited before the next chunk is read), so a caller that does not keep them reads a
 * history of any size in constant memory.
 *
 *   await scanHistoryFile('history.jsonl', (ops) => { for (const op of ops) session.feed(op); });
 */
export async function scanHistoryFile(path: string, onOps: (ops: Op[]) => void | Promise<void>): Promise<ScanResult> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new InputError(`cannot read history: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path });
  }
  let events = 0;
  let tornLastLine = false;
  try {
    let buf = Buffer.allocUnsafe(CHUNK_BYTES);
    /** Bytes at the start of buf carried over: the start of a line not yet complete. */
    let carried = 0;
    let nextLine = 1;
    for (;;) {
      if (carried === buf.length) {
        // One line longer than the buffer: make room for the rest of it.
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, carried);
        buf = bigger;
      }
      // Reads are synchronous: the chunks come from the page cache far faster than a round
      // trip through the thread pool, which a busy machine makes slow.
      const bytesRead = readSync(fd, buf, carried, buf.length - carried, null);
      const filled = carried + bytesRead;
      const ops: Op[] = [];
      if (bytesRead === 0) {
        tornLastLine = parseTail(decode(buf.subarray(0, filled), path, nextLine, true), nextLine, path, ops, events);
      } else {
        const cut = buf.lastIndexOf(10, filled - 1) + 1;
        if (cut > 0) nextLine += parseCompleteLines(decode(buf.subarray(0, cut), path, nextLine), nextLine, path, ops, events);
        buf.copy(buf, 0, cut, filled);
        carried = filled - cut;
      }
      if (ops.length > 0) {
        events += ops.length;
        await onOps(ops);
      }
      if (bytesRead === 0) break;
    }
  } finally {
    closeSync(fd);
  }
  return { events, tornLastLine };
}

/** Reads a JSONL history file whole. */
export async function readHistoryFile(path: string): Promise<ReadResult> {
  const history: Op[] = [];
  const { tornLastLine } = await scanHistoryFile(path, (ops) => {
    for (const op of ops) history.push(op);
  });
  return { history, tornLastLine };
}
