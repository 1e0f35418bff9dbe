/**
 * Loads a history from a file in any supported format, detected from its content:
 * our JSONL, Jepsen/Knossos/Elle EDN, Elle's JSON, Jepsen log lines (Porcupine's etcd data) and
 * Porcupine's MIT 6.824 kv logs. Every format becomes Faultline ops (dense index, ns time,
 * process, type, f, value), with notes on what was synthesized, the kind of transactions the ops
 * are (if they are), and a hint of the model that fits the data. Bytes that are not UTF-8 are
 * refused, naming the file, line and byte.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { InputError } from '../../core/errors.ts';
import type { History, Op } from '../../core/op.ts';
import { parseHistoryJsonl, readHistoryFile, type ReadResult } from '../reader.ts';
import { decodeUtf8 } from '../utf8.ts';
import { looksLikeElleJson, parseElleJson } from './elle-json.ts';
import { parseJepsenEdn } from './jepsen-edn.ts';
import { looksLikeJepsenLog, parseJepsenLog } from './jepsen-log.ts';
import { keepSourceIndices } from './op-builder.ts';
import { txnKeys, txnShape, type TxnShape } from './txn-shape.ts';

export type { TxnShape } from './txn-shape.ts';
export type HistoryFormat = 'jsonl' | 'edn' | 'elle-json' | 'jepsen-log' | 'porcupine-kv';

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
  /** The kind of transactions the ops are, when they are transactions (see txn-shape.ts). */
  txn: TxnShape | undefined;
}

/** How many bytes are looked at to detect the format. */
const SNIFF_BYTES = 8192;

/** Detects the format of a history text from its first bytes. */
export function detectFormat(head: string, file?: string): Exclude<HistoryFormat, 'porcupine-kv'> {
  const body = head.replace(/^\uFEFF/, '').replace(/^(\s*;[^\n]*\n)+/, '').trimStart();
  if (body.startsWith('{"') || /^\{\s*"/.test(body)) return 'jsonl';
  if (looksLikeElleJson(body)) return 'elle-json';
  if (looksLikeJepsenLog(head)) return 'jepsen-log';
  if (/^[[({#]/.test(body) || body === '') return 'edn';
  throw new InputError('unknown history format: expected JSONL, Jepsen EDN, Elle JSON, Jepsen log lines or a Porcupine kv log', file === undefined ? {} : { file });
}

/**
 * The natural model for a history, from its format, the fs its client ops use and the kind of
 * transactions they are: Knossos' multi-register txns have one; Elle's transactions (list-append,
 * rw-register) are checked for anomalies, not against a model.
 */
export function modelHint(history: History, format: HistoryFormat, txn = txnShape(history)): ModelHint | undefined {
  if (txn === 'multi-register') {
    if (format !== 'edn') return { model: 'multi-register', reason: 'ops are Knossos txns of read/write micro-ops' };
    const init = Object.fromEntries(txnKeys(history).map((k) => [String(k), 0]));
    return { model: 'multi-register', init, reason: 'ops are Knossos txns of read/write micro-ops (Knossos convention: every register starts at 0)' };
  }
  if (txn !== undefined) return undefined;
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

function loaded(history: Op[], format: HistoryFormat, notes: string[]): LoadedHistory {
  const txn = txnShape(history);
  return { history, format, notes, model: modelHint(history, format, txn), txn };
}

/** Our JSONL, read as Elle reads indices (see op-builder.ts), with a note on a torn last line. */
function fromJsonl(r: ReadResult, file: string | undefined): LoadedHistory {
  const notes = r.tornLastLine ? ['the last line was cut off mid-write and was dropped'] : [];
  const indices = r.history.map((op) => op.index);
  if (indices.every((x) => Number.isInteger(x))) {
    const renumbered = keepSourceIndices(r.history, indices, file);
    if (renumbered) notes.push(renumbered);
  }
  return loaded(r.history, 'jsonl', notes);
}

/** Parses a history text whose format is detected from its content. */
export function parseHistoryText(text: string, file?: string): LoadedHistory {
  const format = detectFormat(text.slice(0, SNIFF_BYTES), file);
  if (format === 'jsonl') return fromJsonl(parseHistoryJsonl(text, file), file);
  if (format === 'elle-json') {
    const r = parseElleJson(text, file);
    return loaded(r.history, format, r.notes);
  }
  if (format === 'jepsen-log') {
    const r = parseJepsenLog(text, file);
    return loaded(r.history, format, r.notes);
  }
  const r = parseJepsenEdn(text, file);
  return loaded(r.history, r.format, r.notes);
}

/** Standard input's names: `-`, and `/dev/stdin` (which cannot be opened when stdin is a socket). */
const STDIN_NAMES: ReadonlySet<string> = new Set(['-', '/dev/stdin']);

/** Whether `path` is standard input, a pipe or another file that cannot be read twice (not a regular file). */
export async function isPipe(path: string): Promise<boolean> {
  if (STDIN_NAMES.has(path)) return true;
  const kind = await stat(path).catch(() => undefined);
  return kind !== undefined && !kind.isFile();
}

/** All of a pipe's bytes (standard input read as a stream); an InputError when it cannot be read. */
async function readPipe(path: string): Promise<Buffer> {
  try {
    if (!STDIN_NAMES.has(path)) return await readFile(path);
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } catch (e) {
    throw new InputError(`cannot read history: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { file: path });
  }
}

/**
 * Loads a history file of any supported format. Standard input (`-` or `/dev/stdin`) and other
 * pipes cannot be read twice, so they are read once, whole, and the format detected from the text.
 */
export async function loadHistory(path: string): Promise<LoadedHistory> {
  if (await isPipe(path)) return parseHistoryText(decodeUtf8(await readPipe(path), path), path);
  const format = detectFormat(await readHead(path), path);
  if (format === 'jsonl') return fromJsonl(await readHistoryFile(path), path);
  return parseHistoryText(decodeUtf8(await readFile(path), path), path);
}
