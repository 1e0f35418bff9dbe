/**
 * Writes a history as Jepsen EDN (a vector of op maps, one per line) so it can be fed to
 * Jepsen's tools (Knossos, Elle). `:type`, `:f`, `:process :nemesis` and keyword-like errors
 * become keywords; the first element of a txn micro-op (`[:r :x 1]`) too. Other strings stay
 * strings, object keys become keywords when they can be.
 */
import type { History, Op } from '../../core/op.ts';

const KEYWORD = /^[A-Za-z*+!_?<>=][\w*+!?<>=.\-/]*$/;
const MICRO_OPS = new Set(['r', 'w', 'append', 'read', 'write']);
const OP_FIELDS = new Set(['index', 'time', 'process', 'type', 'f', 'value', 'error', 'node']);

function keyword(s: string): string {
  return KEYWORD.test(s) && s !== 'nil' && s !== 'true' && s !== 'false' ? `:${s}` : JSON.stringify(s);
}

/** EDN text for a JSON-like value. */
export function toEdnValue(v: unknown, txn = false): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'nil';
  if (typeof v === 'bigint') return `${v}N`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) {
    if (txn) {
      return `[${v.map((m) => (Array.isArray(m) && typeof m[0] === 'string' && MICRO_OPS.has(m[0]) ? `[:${m[0]}${m.slice(1).map((x) => ` ${toEdnValue(x)}`).join('')}]` : toEdnValue(m))).join(' ')}]`;
    }
    return `[${v.map((x) => toEdnValue(x)).join(' ')}]`;
  }
  if (v instanceof Set) return `#{${[...v].map((x) => toEdnValue(x)).join(' ')}}`;
  const entries = Object.entries(v as Record<string, unknown>);
  return `{${entries.map(([k, x]) => `${keyword(k)} ${toEdnValue(x)}`).join(', ')}}`;
}

function opToEdn(op: Op): string {
  const parts = [
    `:index ${op.index}`,
    `:time ${Math.round(op.time)}`,
    `:type :${op.type}`,
    `:process ${op.process === 'nemesis' ? ':nemesis' : String(op.process)}`,
    `:f ${keyword(op.f)}`,
    `:value ${toEdnValue(op.value, op.f === 'txn')}`,
  ];
  if (op.node !== undefined) parts.push(`:node ${JSON.stringify(op.node)}`);
  if (op.error !== undefined) parts.push(`:error ${typeof op.error === 'string' ? keyword(op.error) : toEdnValue(op.error)}`);
  for (const k of Object.keys(op)) {
    if (!OP_FIELDS.has(k) && op[k] !== undefined) parts.push(`${keyword(k)} ${toEdnValue(op[k])}`);
  }
  return `{${parts.join(', ')}}`;
}

/** The history as Jepsen EDN text: a vector with one op map per line. */
export function toJepsenEdn(history: History): string {
  if (history.length === 0) return '[]\n';
  return `[${history.map(opToEdn).join('\n ')}]\n`;
}
