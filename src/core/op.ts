/**
 * The operation model: every event in a history is an Op.
 *
 * A client op is recorded twice: an `invoke` when it starts and exactly one completion from the
 * same process when it ends: `ok` (it happened), `fail` (it definitely did not happen) or `info`
 * (unknown: it may have happened, now or later). After an `info` the worker continues under a new
 * process id. Nemesis ops use the process `"nemesis"` and follow the same invoke/completion shape.
 */

export type OpType = 'invoke' | 'ok' | 'fail' | 'info';
export const OP_TYPES: readonly OpType[] = ['invoke', 'ok', 'fail', 'info'];

/** Completion types: what an invocation can end as. */
export type CompletionType = Exclude<OpType, 'invoke'>;

/** A client process is a non-negative integer; fault injection runs as the process "nemesis". */
export type ProcessId = number | 'nemesis';
export const NEMESIS: ProcessId = 'nemesis';

export interface Op {
  /** Position in the history, 0-based, dense. */
  index: number;
  /** Nanoseconds since the test started, from a monotonic clock. */
  time: number;
  process: ProcessId;
  type: OpType;
  /** The function: read, write, cas, txn, add, start-partition, ... */
  f: string;
  value: unknown;
  /** The node the client was talking to, when known. */
  node?: string;
  /** Why the op failed or is indeterminate: an error code or message. */
  error?: unknown;
  /** Free-form extra fields, kept when read back (e.g. importer-specific data). */
  [extra: string]: unknown;
}

export type History = readonly Op[];

export function isClientOp(op: Op): boolean {
  return typeof op.process === 'number';
}

export function isNemesisOp(op: Op): boolean {
  return op.process === NEMESIS;
}
