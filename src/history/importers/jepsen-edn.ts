/**
 * Jepsen / Knossos / Elle EDN histories: a vector or list of op maps, or op maps one after
 * another, each read as jepsen-op.ts describes (keywords become strings). Porcupine's MIT 6.824
 * kv logs are EDN maps with a separate `:key`; they are recognised here and their value becomes
 * the Jepsen `independent` tuple `[key, value]`.
 */
import type { Op } from '../../core/op.ts';
import { EdnReader, type EdnValue } from './edn.ts';
import { JepsenOpImporter } from './jepsen-op.ts';

const KV_FS = new Set(['get', 'put', 'append']);
const KV_KEYS = new Set(['key']);

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

/** Converts an EDN history text into ops. */
export function parseJepsenEdn(text: string, file?: string): EdnImport {
  const raw = readOpMaps(text, file);
  const kv = isKvLog(raw);
  const importer = new JepsenOpImporter(file);
  for (const r of raw) {
    importer.add(r.map, kv ? { line: r.line, consumed: KV_KEYS, value: [r.map['key'] ?? null, r.map['value'] ?? null] } : { line: r.line });
  }
  const { history, notes } = importer.finish();
  if (kv) notes.push('Porcupine kv log: each value is [key, value]; check it per key');
  return { history, format: kv ? 'porcupine-kv' : 'edn', notes };
}
