/**
 * Linearizability checking: the public API the CLI and workloads use.
 *
 *   linearizable({ model: 'cas-register', init: 0, budget: { timeMs: 60_000 } }): Checker
 *   MODELS                         registry of built-in models (name → { create(init), description })
 *   parseModelInit(model, text)    parses an `--init` value (JSON or EDN)
 *
 * Users can pass their own Model object (see model.ts); it is checked in this thread.
 */
export { linearizable, type LinearizableOptions } from './checker.ts';
export type { PartitionOutcome, PartitionFailure, PartialLinearization } from './check-partition.ts';
export { MODELS, createModel, parseModelInit, type ModelEntry } from './models/index.ts';
export { inconsistent, isInconsistent, Inconsistent, defaultPrepare, type Model, type ModelOp, type RawModelOp, type Outcome } from './model.ts';
