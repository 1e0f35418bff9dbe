/**
 * What a workload-specific inference (list-append, rw-register) hands to the shared cycle search
 * and reporting: the dependency edges, the anomalies found without cycles, and how to explain a
 * data edge between two transactions.
 */
import type { EdgeList } from './graph.ts';
import type { TxnTable } from './txns.ts';

/** One edge of a cycle as data, with Elle's field names (`value'`, `a-mop-index`, ...). */
export interface Step {
  type: 'ww' | 'wr' | 'rw' | 'process' | 'realtime';
  [field: string]: unknown;
}

/** An input-contract violation: the history breaks an assumption the inference needs. */
export interface ContractViolation {
  type: 'duplicate-appends' | 'duplicate-writes';
  message: string;
  [field: string]: unknown;
}

export interface Analysis {
  tt: TxnTable;
  edges: EdgeList;
  /** Data relation bits in the order a step is explained (the first that applies names it). */
  dataPriority: readonly number[];
  /** Non-cycle anomalies by Elle's type name. */
  anomalies: Map<string, unknown[]>;
  /** Explains a → b for one data relation bit, or undefined if that relation does not hold. */
  explain(a: number, b: number, rel: number): Step | undefined;
  /** Plain-language reason for a data step, naming the txns `aName` and `bName`. */
  render(step: Step, aName: string, bName: string): string;
  contract?: ContractViolation;
}

/** A value as Elle prints it (strings quoted, numbers bare, nil for null). */
export function show(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

export function addCase(anomalies: Map<string, unknown[]>, type: string, c: unknown): void {
  const list = anomalies.get(type);
  if (list) list.push(c);
  else anomalies.set(type, [c]);
}
