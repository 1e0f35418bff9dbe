/**
 * Jepsen / Knossos EDN histories: a vector or list of op maps, or op maps one after another.
 * Keywords become strings; `:process :nemesis` becomes "nemesis". Porcupine's MIT 6.824 kv logs
 * are EDN maps with a separate `:key`; they are recognised here and their value becomes the
 * Jepsen `independent` tuple `[key, value]`.
 */
import { InputError } from '../../core/errors.ts';
import { OP_TYPES, type Op, type OpType, type ProcessId } from '../../core/op.ts';
import { EdnReader, type EdnValue } from './edn.ts';
import { OpBuilder, type ImportedOp } from './op-builder.ts';

const TYPES = new Set<string>(OP_TYPES);
const KNOWN_KEYS = new Set(['process', 'type', 'f', 'value', 'time', 'index', 'error', 'node']);
const KV_FS = new Set(['get', 'put', 'append']);

interface RawOp {
  map: { [key: string]: EdnValue };
  line: number;
}

/** Reads the op maps of an EDN history with the line each starts on. */
function readOpMaps(text: string, file: string | undefined): RawOp[] {
  const r = new EdnReader(text, file);
  const out: RawOp[] = [];
  if (!r.skipSpace()) return out;
  const open = r.peek();
  const close = open === '[' ? ']' : open === '(' ? ')' : undefined;
  if (close !== undefined) r.expect(open);
  for (;;) {
    if (!r.skipSpace()) {
      if (close !== undefined) r.fail(`unterminated history: expected ${JSON.stringify(close)}`);
      return out;
    }
    if (close !== undefined && r.peek() === close) {
      r.expect(close);
      if (r.skipSpace()) r.fail('unexpected text after the history');
      return out;
    }
    const line = r.currentLine;
    const v = r.read();
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return r.fail('expected an op map like {:process 0, :type :invoke, :f :read, :value nil}');
    out.push({ map: v, line });
  }
}

export interface EdnImport {
  history: Op[];
  /** 'edn' for Jepsen histories, 'porcupine-kv' for 6.824 kv logs. */
  format: 'edn' | 'porcupine-kv';
  notes: string[];
}

/** True when the op maps look like a Porcupine kv log: every op has :key and f get/put/append. */
function isKvLog(raw: readonly RawOp[]): boolean {
  return raw.length > 0 && raw.every((r) => 'key' in r.map && typeof r.map['f'] === 'string' && KV_FS.has(r.map['f']));
}

function opFromMap(r: RawOp, kv: boolean, file: string | undefined): ImportedOp {
  const where: { file?: string; line: number } = { line: r.line };
  if (file !== undefined) where.file = file;
  const bad = (msg: string): never => {
    throw new InputError(msg, where);
  };
  const m = r.map;
  const p = m['process'];
  let process: ProcessId;
  if (p === 'nemesis') process = 'nemesis';
  else if (typeof p === 'number' && Number.isInteger(p) && p >= 0) process = p;
  else return bad(`op has no valid :process (got ${JSON.stringify(p ?? null)})`);
  const type = m['type'];
  if (typeof type !== 'string' || !TYPES.has(type)) return bad(`op has no valid :type (got ${JSON.stringify(type ?? null)}; expected :invoke, :ok, :fail or :info)`);
  const f = m['f'];
  if (typeof f !== 'string' && typeof f !== 'number') return bad(`op has no :f`);
  const value = m['value'] ?? null;
  const rec: ImportedOp = {
    process,
    type: type as OpType,
    f: String(f),
    value: kv ? [m['key'] ?? null, value] : value,
  };
  const time = m['time'];
  if (typeof time === 'number' && Number.isFinite(time)) rec.time = time;
  if (m['error'] !== undefined) rec.error = m['error'];
  if (typeof m['node'] === 'string') rec.node = m['node'];
  const extra: Record<string, unknown> = {};
  for (const k of Object.keys(m)) {
    if (!KNOWN_KEYS.has(k) && !(kv && k === 'key')) extra[k] = m[k];
  }
  rec.extra = extra;
  return rec;
}

/** Converts an EDN history text into ops. */
export function parseJepsenEdn(text: string, file?: string): EdnImport {
  const raw = readOpMaps(text, file);
  const kv = isKvLog(raw);
  const b = new OpBuilder();
  for (const r of raw) b.add(opFromMap(r, kv, file));
  const notes = b.notes();
  if (kv) notes.push('Porcupine kv log: each value is [key, value]; check it per key');
  return { history: b.ops, format: kv ? 'porcupine-kv' : 'edn', notes };
}
