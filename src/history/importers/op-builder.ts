/**
 * Builds Faultline ops from imported records: dense indices, nanosecond times that never go
 * backwards (synthesized from line order when the source has none), and notes on what was
 * adjusted, so every importer fills the Op model the same way.
 */
import type { Op, OpType, ProcessId } from '../../core/op.ts';

/** Spacing of synthesized times: one microsecond per op, in line order. */
const SYNTHETIC_STEP_NS = 1000;

export interface ImportedOp {
  process: ProcessId;
  type: OpType;
  f: string;
  value: unknown;
  /** Nanoseconds, when the source records a time. */
  time?: number;
  error?: unknown;
  node?: string;
  /** Extra fields kept on the op (importer-specific data). */
  extra?: Record<string, unknown>;
}

export class OpBuilder {
  readonly ops: Op[] = [];
  private lastTime = 0;
  private synthesized = 0;
  private clamped = 0;

  add(rec: ImportedOp): Op {
    let time: number;
    if (rec.time === undefined) {
      time = this.ops.length === 0 ? 0 : this.lastTime + SYNTHETIC_STEP_NS;
      this.synthesized++;
    } else if (this.ops.length > 0 && rec.time < this.lastTime) {
      time = this.lastTime;
      this.clamped++;
    } else {
      time = rec.time;
    }
    this.lastTime = time;
    const op: Op = { ...rec.extra, index: this.ops.length, time, process: rec.process, type: rec.type, f: rec.f, value: rec.value };
    if (rec.error !== undefined) op.error = rec.error;
    if (rec.node !== undefined) op.node = rec.node;
    this.ops.push(op);
    return op;
  }

  /** What was adjusted, for the import notes. */
  notes(): string[] {
    const out: string[] = [];
    if (this.synthesized === this.ops.length && this.ops.length > 0) {
      out.push('no op has a time: times synthesized from line order (1 µs apart)');
    } else if (this.synthesized > 0) {
      out.push(`${this.synthesized} ops have no time: synthesized from the previous op's time`);
    }
    if (this.clamped > 0) {
      out.push(`${this.clamped} op times go backwards in line order: raised to the previous time (line order is the real-time order)`);
    }
    return out;
  }
}
