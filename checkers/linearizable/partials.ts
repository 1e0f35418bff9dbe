/**
 * The longest partial linearizations a search reached: at every dead end the search offers the
 * path it is on; the deepest ones are kept (up to MAX_PATHS with different blocked ops). Only
 * the last TAIL ops of a path are copied, with the number of earlier ops, so recording costs
 * the same at op 100 and at op 1,000,000 and a counterexample stays small.
 */
import type { ModelOp } from './model.ts';

/** How many ops of a path's end are kept. */
export const TAIL = 48;
const MAX_PATHS = 4;

/** A recorded path: its last ops (history index of the invocation, state id before each). */
export interface RecordedPath {
  /** Ops linearized before the first one listed. */
  elided: number;
  calls: number[];
  statesBefore: number[];
  /** The state after the last op. */
  lastState: number;
  /** The history index of the required op whose return ended the path (-1: none). */
  blocked: number;
  /** The ops that could have gone next, none of which led anywhere. */
  candidates: { call: number; op: ModelOp }[];
}

export class Partials {
  /** Length of the longest paths kept; -1 before the first. */
  depth = -1;
  paths: RecordedPath[] = [];

  /** Whether a dead end at this length, blocked by the op invoked at `blockedCall`, is kept. */
  wants(length: number, blockedCall: number): boolean {
    if (length !== this.depth) return length > this.depth;
    return this.paths.length < MAX_PATHS && !this.paths.some((p) => p.blocked === blockedCall);
  }

  add(length: number, path: RecordedPath): void {
    if (length > this.depth) {
      this.depth = length;
      this.paths = [];
    }
    this.paths.push(path);
  }

  /** Every state id the paths refer to (they must outlive the search's forgetting). */
  states(): number[] {
    return this.paths.flatMap((p) => [...p.statesBefore, p.lastState]);
  }
}
