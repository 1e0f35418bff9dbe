/**
 * The fields of every event that the op table does not hold, for the op detail panel: the node
 * as a byte column over a table of node names, all values as one JSON array, and any other field
 * (error, extras, a non-numeric process) in a sparse map by event index. Each part is packed
 * (gzip, base64); the browser inflates them only when an op is first opened. A value whose JSON
 * is longer than MAX_VALUE_CHARS is shown as its first characters and a marker with its length
 * (history.jsonl keeps it whole), so one huge value cannot make the page huge.
 */
import type { History } from '../../core/op.ts';
import { boundEvidence, cutString } from '../../../checkers/bounded.ts';
import { jsonUpTo } from './escape.ts';
import { packBase64 } from './pack.ts';

/** Longest JSON of one value kept in the page; longer ones become a cut string saying how long they were. */
export const MAX_VALUE_CHARS = 4000;

/**
 * gzip level of the details: on a million ops' values, 4 gives 15 % less than 1 at about the same
 * cost, 6 takes four times as long for 2 % more.
 */
const DETAIL_LEVEL = 4;

/** Fields the op table or the node column already carries. */
const KNOWN = new Set(['index', 'time', 'type', 'f', 'value', 'node', 'process']);

/** The JSON of a value, or for one longer than MAX_VALUE_CHARS a string of its first characters and its length. */
function valueJson(v: unknown): string {
  const small = jsonUpTo(v, MAX_VALUE_CHARS);
  if (small !== undefined) return small;
  if (typeof v === 'string') return JSON.stringify(cutString(v, MAX_VALUE_CHARS));
  // Bounded first (long strings and lists inside carry their own markers), so the cost does not
  // grow with the value; kept as JSON when that is short enough, else as cut text.
  const preview = JSON.stringify(boundEvidence(v, { maxString: 400, maxItems: 40, maxKeys: 40, maxDepth: 8 }));
  if (preview.length <= MAX_VALUE_CHARS) return preview;
  return JSON.stringify(`${preview.slice(0, MAX_VALUE_CHARS - 60)}…[value cut short; history.jsonl has it whole]`);
}

export interface EventDetails {
  /** Node names; the node column holds 1 + the position here, 0 for none. */
  nodes: string[];
  /** One byte per event. */
  node: string;
  /** JSON array of every event's value (null when absent). */
  values: string;
  /** JSON object: event index → its other fields. */
  extras: string;

}

export function eventDetails(history: History): EventDetails {
  const nodes: string[] = [];
  const nodeIds = new Map<string, number>();
  const nodeCol = new Uint8Array(history.length);
  const values: string[] = new Array(history.length);
  const extras: string[] = [];
  for (let i = 0; i < history.length; i++) {
    const op = history[i]!;
    const v = op.value;
    values[i] = v === null || v === undefined ? 'null' : typeof v === 'number' && Number.isFinite(v) ? String(v) : valueJson(v);
    let extra: Record<string, unknown> | undefined;
    if (typeof op.node === 'string') {
      let id = nodeIds.get(op.node);
      if (id === undefined && nodes.length < 255) {
        nodes.push(op.node);
        id = nodes.length;
        nodeIds.set(op.node, id);
      }
      if (id !== undefined) nodeCol[i] = id;
      else extra = { node: op.node };
    } else if (op.node !== undefined) {
      extra = { node: op.node };
    }
    if (typeof op.process !== 'number' && op.process !== 'nemesis') (extra ??= {})['process'] = op.process;
    for (const k in op) if (!KNOWN.has(k)) (extra ??= {})[k] = op[k];
    if (extra) extras.push(`"${i}":${JSON.stringify(boundEvidence(extra, { maxString: MAX_VALUE_CHARS, maxItems: 200, maxKeys: 200 }))}`);
  }
  return {
    nodes,
    node: packBase64(nodeCol, DETAIL_LEVEL),
    values: packBase64(`[${values.join(',')}]`, DETAIL_LEVEL),
    extras: packBase64(`{${extras.join(',')}}`, DETAIL_LEVEL),
  };
}
