/**
 * Ops in words for the report's static HTML: one line per invocation/completion pair
 * ("p3 read nil → ok 4") and the full JSON of both events.
 */
import type { History, Op } from '../../core/op.ts';
import { showValue } from './escape.ts';

export interface PairRef {
  invoke: Op | undefined;
  completion: Op | undefined;
}

/** The invoke and completion around any event index, using `partner` from completionIndex. */
export function pairAt(history: History, partner: Int32Array, index: number): PairRef {
  const op = history[index];
  if (!op) return { invoke: undefined, completion: undefined };
  const other = partner[index]! >= 0 ? history[partner[index]!] : undefined;
  return op.type === 'invoke' ? { invoke: op, completion: other } : { invoke: other, completion: op };
}

function processName(p: unknown): string {
  return typeof p === 'number' ? `p${p}` : String(p);
}

/** One line: process, f, invoked value, and how it completed. */
export function pairLine(pair: PairRef): string {
  const op = pair.invoke ?? pair.completion;
  if (!op) return '(no such op)';
  const inv = pair.invoke ? showValue(pair.invoke.value, 60) : '?';
  const end = pair.completion
    ? `${pair.completion.type} ${showValue(pair.completion.value, 60)}${pair.completion.error !== undefined ? ` (${showValue(pair.completion.error, 60)})` : ''}`
    : 'never completed';
  return `${processName(op.process)} ${op.f} ${inv} → ${end}`;
}

/** Milliseconds with 3 decimals, for "at 1234.567 ms". */
export function ms(ns: number): string {
  return (ns / 1e6).toFixed(3);
}
