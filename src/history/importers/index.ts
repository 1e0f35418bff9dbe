/**
 * Loads a history from a file in any supported format, detected from its content:
 * our JSONL, Jepsen/Knossos EDN, Jepsen log lines (Porcupine's etcd data) and Porcupine's
 * MIT 6.824 kv logs. Every format becomes Faultline ops (dense index, ns time, process, type,
 * f, value), with notes on what was synthesized and a hint of the model that fits the data.
 */
import { open, readFile } from 'node:fs/promises';
import { InputError } from '../../core/errors.ts';
import type { History, Op } from '../../core/op.ts';
import { parseHistoryJsonl, readHistoryFile } from '../reader.ts';
import { parseJepsenEdn } from './jepsen-edn.ts';
import { looksLikeJepsenLog, parseJepsenLog } from './jepsen-log.ts';

export type HistoryFormat = 'jsonl' | 'edn' | 'jepsen-log' | 'porcupine-kv';

/** The model (see checkers/linearizable) that fits a history, with its initial value if known. */
export interface ModelHint {
  model: string;
  init?: unknown;
  /** Why this model was chosen. */
  reason: string;
}

export interface LoadedHistory {
  history: Op[];
  format: HistoryFormat;
  notes: string[];
  model: ModelHint | undefined;
}

/** How many bytes are looked at to detect the format. */
const SNIFF_BYTES = 8192;

/** Detects the format of a history text from its first bytes. */
export function detectFormat(head: string, file?: string): Exclude<HistoryFormat, 'porcupine-kv'> {
  const body = head.replace(/^\uFEFF/, '').replace(/^(\s*;[^\n]*\n)+/, '').trimStart();
  if (body.startsWith('{"') || /^\{\s*"/.test(body)) return 'jsonl';
  if (looksLikeJepsenLog(head)) return 'jepsen-log';
  if (/^[[({#]/.test(body) || body === '') return 'edn';
  throw new InputError('unknown history format: expected JSONL, Jepsen EDN, Jepsen log lines or a Porcupine kv log', file === undefined ? {} : { file });
}

/** The natural model for a history, from its format and the fs its client ops use. */
export function modelHint(history: History, format: HistoryFormat): ModelHint | undefined {
  if (format === 'jepsen-log') return { model: 'etcd-register', init: null, reason: 'Jepsen etcd log lines: register starting absent, failed cas = failed compare' };
  if (format === 'porcupine-kv') return { model: 'kv', init: '', reason: 'Porcupine kv log: get/put/append per key, each key starting as ""' };
  const fs = new Set<string>();
  for (const op of history) if (typeof op.process === 'number') fs.add(op.f);
  const only = (...allowed: string[]): boolean => fs.size > 0 && [...fs].every((f) => allowed.includes(f));
  const knossos = format === 'edn' ? { init: 0, reason: ' (Knossos convention: starts at 0)' } : { init: undefined, reason: '' };
  if (only('read', 'write', 'cas')) {
    const model = fs.has('cas') ? 'cas-register' : 'register';
    const hint: ModelHint = { model, reason: `ops read/write${fs.has('cas') ? '/cas' : ''}${knossos.reason}` };
    if (knossos.init !== undefined) hint.init = knossos.init;
    return hint;
  }
  if (only('txn')) return { model: 'multi-register', reason: 'ops are txns of read/write micro-ops' };
  if (only('acquire', 'release')) return { model: 'mutex', init: false, reason: 'ops acquire/release, starting unlocked' };
  if (only('enqueue', 'dequeue')) return { model: 'fifo-queue', reason: 'ops enqueue/dequeue' };
  if (only('add', 'read')) return { model: 'set', reason: 'ops add/read' };
  if (only('get', 'put', 'append')) return { model: 'kv', reason: 'ops get/put/append on [key, value]' };
  return undefined;
}

/** The first bytes of a file (for format detection); an InputError when it cannot be read. */
export async function readHead(path: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new InputError(`cannot read history: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path });
  }
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

function tornNote(torn: boolean): string[] {
  return torn ? ['the last line was cut off mid-write and was dropped'] : [];
}

/** Parses a history text whose format is detected from its content. */
export function parseHistoryText(text: string, file?: string): LoadedHistory {
  const format = detectFormat(text.slice(0, SNIFF_BYTES), file);
  if (format === 'jsonl') {
    const r = parseHistoryJsonl(text, file);
    return { history: r.history, format, notes: tornNote(r.tornLastLine), model: modelHint(r.history, format) };
  }
  if (format === 'jepsen-log') {
    const r = parseJepsenLog(text, file);
    return { history: r.history, format, notes: r.notes, model: modelHint(r.history, format) };
  }
  const r = parseJepsenEdn(text, file);
  return { history: r.history, format: r.format, notes: r.notes, model: modelHint(r.history, r.format) };
}

/** Loads a history file of any supported format. */
export async function loadHistory(path: string): Promise<LoadedHistory> {
  const format = detectFormat(await readHead(path), path);
  if (format === 'jsonl') {
    const r = await readHistoryFile(path);
    return { history: r.history, format, notes: tornNote(r.tornLastLine), model: modelHint(r.history, format) };
  }
  return parseHistoryText(await readFile(path, 'utf8'), path);
}
