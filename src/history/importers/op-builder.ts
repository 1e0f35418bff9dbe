/**
 * Builds Faultline ops from imported records: dense indices, nanosecond times that never go
 * backwards (synthesized from line order when the source has none), and notes on what was
 * adjusted, so every importer fills the Op model the same way.
 *
 * Indices: Faultline numbers ops 0, 1, 2, ... in file order. A file whose own indices are
 * something else (Elle and jepsen.history accept any unique indices: starting at 1, with gaps
 * where ops were filtered out) is read as Elle reads it, in file order, and each op keeps the
 * file's index as `sourceIndex`. An index given twice is refused: it names two ops as one.
 */
import { InputError } from '../../core/errors.ts';
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
  /** The file's own index of the op, when it has one. */
  index?: number;
  error?: unknown;
  node?: string;
  /** Extra fields kept on the op (importer-specific data). */
  extra?: Record<string, unknown>;
  /** The line the op starts on, for errors. */
  line?: number;
}

export class OpBuilder {
  readonly ops: Op[] = [];
  private readonly file: string | undefined;
  private lastTime = 0;
  private synthesized = 0;
  private clamped = 0;
  /** The file's index of each op (undefined where it has none). */
  private readonly fileIndices: (number | undefined)[] = [];
  private readonly lines: (number | undefined)[] = [];

  constructor(file?: string) {
    this.file = file;
  }

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
    this.fileIndices.push(rec.index);
    this.lines.push(rec.line);
    return op;
  }

  /**
   * Completes the ops once all are added (each keeps the file's index as `sourceIndex` where the
   * file's indices are not dense) and returns the import notes: what was adjusted.
   */
  finish(): string[] {
    const out: string[] = [];
    if (this.synthesized === this.ops.length && this.ops.length > 0) {
      out.push('no op has a time: times synthesized from line order (1 µs apart)');
    } else if (this.synthesized > 0) {
      out.push(`${this.synthesized} ops have no time: synthesized from the previous op's time`);
    }
    if (this.clamped > 0) {
      out.push(`${this.clamped} op times go backwards in line order: raised to the previous time (line order is the real-time order)`);
    }
    const renumbered = keepSourceIndices(this.ops, this.fileIndices, this.file, this.lines);
    if (renumbered) out.push(renumbered);
    return out;
  }
}

/**
 * When the file's indices (`fileIndices[i]` for `ops[i]`, undefined where absent) are not 0, 1,
 * 2, ...: refuses a repeated one, numbers the ops by position and keeps each file index as the
 * op's `sourceIndex`. Returns the note that says so, or undefined when the indices were dense.
 */
export function keepSourceIndices(
  ops: Op[],
  fileIndices: readonly (number | undefined)[],
  file: string | undefined,
  lines: readonly (number | undefined)[] = [],
): string | undefined {
  if (fileIndices.every((x, i) => x === undefined || x === i)) return undefined;
  const seen = new Map<number, number>();
  let increasing = true;
  let gaps = false;
  let previous: number | undefined;
  fileIndices.forEach((x, i) => {
    if (x === undefined) return;
    const line = lines[i];
    const where = file === undefined ? {} : { file, ...(line !== undefined ? { line } : {}) };
    const other = seen.get(x);
    if (other !== undefined) throw new InputError(`op ${i} has index ${x}, as op ${other} does: an index must name one op`, where);
    seen.set(x, i);
    if (previous !== undefined && x <= previous) increasing = false;
    if (previous !== undefined && x > previous + 1) gaps = true;
    previous = x;
    ops[i]!.index = i;
    ops[i]!.sourceIndex = x;
  });
  const first = fileIndices.find((x) => x !== undefined)!;
  const shape = !increasing ? ['are not in file order'] : [...(first !== 0 ? [`start at ${first}`] : []), ...(gaps ? ['have gaps'] : [])];
  if (shape.length === 0) shape.push('are not the op positions');
  return `the file's op indices ${shape.join(' and ')}: ops are taken in file order and numbered from 0, each keeping the file's index as sourceIndex`;
}
