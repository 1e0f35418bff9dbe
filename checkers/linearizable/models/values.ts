/**
 * Value helpers shared by the built-in models: identity keys and equality for JSON-like values
 * (numbers, strings, null, arrays, plain objects), and the error for an op a model cannot check.
 */
import { HistoryError } from '../../../src/core/errors.ts';
import type { RawModelOp } from '../model.ts';

/** A key that is equal exactly for equal JSON-like values (numbers stay numbers). */
export function valueKey(v: unknown): string | number {
  if (typeof v === 'number') return v;
  return JSON.stringify(v) ?? 'undefined';
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

export function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** The HistoryError for an op the model does not know or whose value has the wrong shape. */
export function unknownOp(model: string, op: RawModelOp, detail?: string): HistoryError {
  const what = detail ?? `${model} model has no op ${JSON.stringify(op.f)}`;
  return new HistoryError(`${what} (value ${show(op.invokeValue)})`, op.index);
}

/** The value an op observed: the completion's when it completed ok, else the invocation's. */
export function observed(op: RawModelOp): unknown {
  return op.outcome === 'ok' && op.completionValue !== undefined ? op.completionValue : op.invokeValue;
}
