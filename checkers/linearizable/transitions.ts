/**
 * Interned model states and a cache of transitions between them. States are numbered by the
 * model's `key`; ops with the same f and value share an op kind, so a transition
 * (state id, op kind) → state id is computed by the model once and then costs a table lookup.
 */
import { PairMap } from './memo.ts';
import { isInconsistent, type Model, type ModelOp } from './model.ts';

export const ILLEGAL = -1;
const UNKNOWN = -2;

export class Transitions {
  readonly states: unknown[] = [];
  private readonly ids = new Map<string | number, number>();
  private readonly cache = new PairMap();
  /** Model.step calls made (cache misses). */
  steps = 0;
  private readonly model: Model<any>;
  private readonly kindOps: ModelOp[];

  constructor(model: Model<any>, kindOps: ModelOp[]) {
    this.model = model;
    this.kindOps = kindOps;
  }

  intern(state: unknown): number {
    const k = this.model.key(state);
    let id = this.ids.get(k);
    if (id === undefined) {
      id = this.states.length;
      this.ids.set(k, id);
      this.states.push(state);
    }
    return id;
  }

  /** The state after op kind `kind` from state `state`, or ILLEGAL. */
  next(state: number, kind: number): number {
    const cached = this.cache.get(state, kind, UNKNOWN);
    if (cached !== UNKNOWN) return cached;
    this.steps++;
    const r = this.model.step(this.states[state], this.kindOps[kind]!);
    const id = isInconsistent(r) ? ILLEGAL : this.intern(r);
    this.cache.add(state, kind, id);
    return id;
  }

  get bytes(): number {
    return this.cache.bytes;
  }
}

/** Op kinds: entries with equal f, value and outcome share one kind. */
export function opKinds(ops: readonly ModelOp[]): { kindOf: Int32Array; kindOps: ModelOp[] } {
  const ids = new Map<string, number>();
  const kindOf = new Int32Array(ops.length);
  const kindOps: ModelOp[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const k = `${op.outcome} ${op.f} ${JSON.stringify(op.value)}`;
    let id = ids.get(k);
    if (id === undefined) {
      id = kindOps.length;
      ids.set(k, id);
      kindOps.push(op);
    }
    kindOf[i] = id;
  }
  return { kindOf, kindOps };
}
