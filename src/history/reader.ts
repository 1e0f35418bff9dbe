/**
 * Reads our history format: JSONL, one Op per line, as written by the recorder.
 *
 * A controller killed mid-write can leave a torn last line; that line is dropped and reported
 * (`tornLastLine`). Any other line that is not a JSON object with the op fields is an InputError
 * naming the file and line.
 */
import { open } from 'node:fs/promises';
import { InputError } from '../core/errors.ts';
import type { Op } from '../core/op.ts';

export interface ReadResult {
  history: Op[];
  /** True when the last line was cut off mid-write and was dropped. */
  tornLastLine: boolean;
}

/** Parses one line; throws an InputError naming the line on malformed input. */
function parseLine(line: string, lineNo: number, file: string | undefined, expectedIndex: number): Op {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (e) {
    throw new InputError(`malformed JSON: ${(e as Error).message}`, lineWhere(file, lineNo));
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InputError('expected a JSON object (one op per line)', lineWhere(file, lineNo));
  }
  const op = parsed as Record<string, unknown>;
  for (const field of ['type', 'process', 'f'] as const) {
    if (!(field in op)) throw new InputError(`op has no "${field}" field`, lineWhere(file, lineNo));
  }
  if (op['index'] === undefined) op['index'] = expectedIndex;
  if (op['time'] === undefined) op['time'] = expectedIndex;
  if (op['value'] === undefined) op['value'] = null;
  return op as Op;
}

function lineWhere(file: string | undefined, line: number): { file?: string; line: number } {
  return file === undefined ? { line } : { file, line };
}

/** Parses JSONL text. A final line without a newline that does not parse counts as torn. */
export function parseHistoryJsonl(text: string, file?: string): ReadResult {
  const history: Op[] = [];
  let tornLastLine = false;
  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    const terminated = end !== -1;
    if (!terminated) end = text.length;
    lineNo++;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '') continue;
    try {
      history.push(parseLine(line, lineNo, file, history.length));
    } catch (e) {
      if (!terminated && e instanceof InputError) {
        tornLastLine = true;
        break;
      }
      throw e;
    }
  }
  return { history, tornLastLine };
}

/** Reads a JSONL history file in chunks (histories can be hundreds of megabytes). */
export async function readHistoryFile(path: string): Promise<ReadResult> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new InputError(`cannot read history: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path });
  }
  const history: Op[] = [];
  let tornLastLine = false;
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    const decoder = new TextDecoder('utf-8');
    let carry = '';
    let lineNo = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      const eof = bytesRead === 0;
      const text = carry + (eof ? decoder.decode() : decoder.decode(chunk.subarray(0, bytesRead), { stream: true }));
      const lastNl = text.lastIndexOf('\n');
      const complete = eof ? text : text.slice(0, lastNl + 1);
      carry = eof ? '' : text.slice(lastNl + 1);
      let start = 0;
      while (start < complete.length) {
        let end = complete.indexOf('\n', start);
        const terminated = end !== -1;
        if (!terminated) end = complete.length;
        lineNo++;
        const line = complete.slice(start, end).trim();
        start = end + 1;
        if (line === '') continue;
        try {
          history.push(parseLine(line, lineNo, path, history.length));
        } catch (e) {
          if (eof && !terminated && e instanceof InputError) {
            tornLastLine = true;
            break;
          }
          throw e;
        }
      }
      if (eof) break;
    }
  } finally {
    await handle.close();
  }
  return { history, tornLastLine };
}
