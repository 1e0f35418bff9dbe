/**
 * Reads histories in the JSON form Elle and elle-cli use: one JSON array of Jepsen ops, each
 * `{index?, time?, process, type, f?, value}`. Missing indices are assigned in file order, a
 * missing `f` becomes "txn" and a missing time -1 (unknown). Our own JSONL histories are read by
 * src/history/reader.ts instead.
 */
import { readFile } from 'node:fs/promises';
import type { Op } from '../../src/core/op.ts';
import { InputError } from '../../src/core/errors.ts';

const TYPES = new Set(['invoke', 'ok', 'fail', 'info']);

/** True when the text looks like an Elle/Jepsen JSON history: a JSON array whose first element is an op. */
export function isElleJson(text: string): boolean {
  const s = text.trimStart();
  if (!s.startsWith('[')) return false;
  const rest = s.slice(1).trimStart();
  return rest.startsWith(']') || (rest.startsWith('{') && /"type"\s*:/.test(rest.slice(0, 2000)));
}

/** Converts parsed Elle JSON to ops; `file` names the source in errors. */
export function elleOpsFromJson(data: unknown, file?: string): Op[] {
  const where = file === undefined ? {} : { file };
  if (!Array.isArray(data)) throw new InputError('an Elle history must be a JSON array of ops', where);
  return data.map((raw: unknown, i): Op => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new InputError(`op ${i} must be an object, got ${JSON.stringify(raw)}`, where);
    }
    const o = raw as Record<string, unknown>;
    if (typeof o.type !== 'string' || !TYPES.has(o.type)) {
      throw new InputError(`op ${i} has type ${JSON.stringify(o.type)}; expected invoke, ok, fail or info`, where);
    }
    if (o.index !== undefined && o.index !== i) {
      throw new InputError(`op ${i} has index ${JSON.stringify(o.index)}; indices must be dense and in file order`, where);
    }
    const process = typeof o.process === 'number' ? o.process : o.process === 'nemesis' || o.process === ':nemesis' ? 'nemesis' : undefined;
    if (process === undefined) {
      throw new InputError(`op ${i} has process ${JSON.stringify(o.process)}; expected an integer or "nemesis"`, where);
    }
    const time = typeof o.time === 'number' ? o.time : -1;
    return { ...o, index: i, time, process, type: o.type as Op['type'], f: typeof o.f === 'string' ? o.f : 'txn', value: o.value };
  });
}

/** Reads an Elle/Jepsen JSON history file. */
export async function loadElleHistory(path: string): Promise<Op[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read history: ${(e as Error).message}`, { file: path }, { cause: e });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file: path }, { cause: e });
  }
  return elleOpsFromJson(data, path);
}
