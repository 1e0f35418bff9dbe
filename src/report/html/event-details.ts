/**
 * The fields of every event that the op table does not hold, for the op detail panel: the node
 * as a byte column over a table of node names, all values as one JSON array, and any other field
 * (error, extras, a non-numeric process) in a sparse map by event index. Each part is packed
 * (gzip, base64); the browser inflates them only when an op is first opened.
 */
import type { History } from '../../core/op.ts';
import { packBase64 } from './pack.ts';

/** Fields the op table or the node column already carries. */
const KNOWN = new Set(['index', 'time', 'type', 'f', 'value', 'node', 'process']);

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
    values[i] = v === null || v === undefined ? 'null' : typeof v === 'number' && Number.isFinite(v) ? String(v) : (JSON.stringify(v) ?? 'null');
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
    if (extra) extras.push(`"${i}":${JSON.stringify(extra)}`);
  }
  return {
    nodes,
    node: packBase64(nodeCol, 1),
    values: packBase64(`[${values.join(',')}]`, 1),
    extras: packBase64(`{${extras.join(',')}}`, 1),
  };
}
