/**
 * The Nemesis protocol: fault injection as ops on the "nemesis" process, so every fault is in
 * the history with its time, target and outcome. A nemesis answers each op like a client:
 * `ok` the fault is in effect (value: what exactly was done, e.g. the nodes hit), `fail` it was
 * refused before anything changed, `info` it broke half-way. Only `ok` faults count as applied.
 */
import type { Completion } from './client.ts';
import type { NodeContext, RunContext } from './context.ts';
import type { Generator } from './generator.ts';

export interface NemesisOp {
  f: string;
  value: unknown;
}

export interface Nemesis {
  readonly name: string;
  /** The `f`s this nemesis handles. */
  readonly fs: readonly string[];
  /** Prepares a node before its DB is set up (a fault filesystem over its directory); every node. */
  prepareNode?(ctx: NodeContext): Promise<void>;
  setup?(ctx: RunContext): Promise<void>;
  invoke(ctx: RunContext, op: NemesisOp, opts: { signal: AbortSignal }): Promise<Completion>;
  /** Heal everything this nemesis may have done; called on teardown, also after errors. */
  teardown?(ctx: RunContext): Promise<void>;
  /** Undoes prepareNode once the DB is torn down there; called for every node, also after errors. */
  releaseNode?(ctx: NodeContext): Promise<void>;
}

/** How a fault kind is drawn in reports. */
export interface FaultStyle {
  name: string;
  color: string;
  /** `f`s that open a fault window of this kind. */
  start: readonly string[];
  /** `f`s that close it. */
  stop: readonly string[];
}

/** A nemesis with its schedule: what to run, when, and how to heal everything at the end. */
export interface NemesisPackage {
  nemesis: Nemesis;
  /** Start/stop ops during the run; null for no faults. */
  generator: Generator | null;
  /** Ops that heal everything, run after the main phase. */
  finalGenerator: Generator | null;
  styles: readonly FaultStyle[];
}
