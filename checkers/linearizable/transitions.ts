/**
 * Interned model states and op kinds, and a cache of transitions between them. States are
 * numbered by the model's `key`; ops with the same f, value and outcome share an op kind, so a
 * transition (state id, op kind) → state id is computed by the model once and then costs a table
 * lookup.
 *
 * The built-in registers skip the model altogether: their states are interned values, and an op
 * is a register code with the ids of its values (`registerStep`), so a step allocates nothing
 * and needs no table, however many distinct values the history writes.
 *
 * A long search keeps only what it can still use: `forget` drops the states and kinds no live
 * configuration or op refers to, and with them the cached transitions. State ids stay dense:
 * a forgotten state's id is given to a later state, which is safe because `forget` is only
 * called once nothing the search holds refers to it any more.
 */
import { PairMap } from './memo.ts';
import { isInconsistent, type Model, type ModelOp } from './model.ts';
import { builtInRegisters } from './models/register.ts';

export const ILLEGAL = -1;
const UNKNOWN = -2;

/** How the search steps an op: a kind id (>= 0) for `Transitions.next`, or a register code (< 0) with value ids. */
export interface StepCode {
  kind: number;
  a: number;
  b: number;
}

const READ = -1;
const WRITE = -2;
const CAS = -3;
const CAS_FAILED = -4;
const REGISTER_CODES: Readonly<Record<string, number>> = { read: READ, write: WRITE, cas: CAS, 'cas-failed': CAS_FAILED };

/** The value id a register op needs the register to hold (a read, or a cas expecting it), or -1. */
export function registerNeeds(code: number, a: number): number {
  return code === READ || code === CAS ? a : -1;
}

/** The value id a register op leaves in the register (a write, or a cas that succeeds), or -1. */
export function registerProduces(code: number, a: number, b: number): number {
  return code === WRITE ? a : code === CAS ? b : -1;
}

/** True for a failed compare (etcd-register): it needs the register *not* to hold a value. */
export function registerNeedsOther(code: number): boolean {
  return code === CAS_FAILED;
}

/** A built-in register's step on value ids (equal ids: equal values). */
export function registerStep(code: number, state: number, a: number, b: number): number {
  if (code === READ) return state === a ? state : ILLEGAL;
  if (code === WRITE) return a;
  if (code === CAS) return state === a ? b : ILLEGAL;
  return state === a ? ILLEGAL : state;
}

/** The identity of an op kind: equal for ops the model cannot tell apart. */
function kindKey(op: ModelOp): string {
  const v = op.value;
  return `${op.outcome} ${op.f} ${typeof v === 'number' ? v : JSON.stringify(v)}`;
}

export class Transitions {
  private readonly stateIds = new Map<string | number, number>();
  /** States by id; a forgotten state leaves a hole whose id is in `freeIds`. */
  private readonly states: unknown[] = [];
  private freeIds: number[] = [];
  private readonly kindIds = new Map<string, number>();
  private readonly kindById = new Map<number, ModelOp>();
  private readonly cache = new PairMap();
  private interned = 0;
  private nextKind = 0;
  /** Model.step calls made (cache misses). */
  steps = 0;
  private readonly model: Model<any>;
  /** True for the built-in registers: ops are register codes. */
  readonly register: boolean;
  private readonly code: StepCode = { kind: 0, a: 0, b: 0 };

  constructor(model: Model<any>) {
    this.model = model;
    this.register = builtInRegisters.has(model);
  }

  /** States held now (not forgotten). */
  get held(): number {
    return this.stateIds.size;
  }

  /** One more than the largest state id in use: arrays indexed by state id need this length. */
  get idLimit(): number {
    return this.states.length;
  }

  /** States interned so far (forgotten ones included). */
  get statesSeen(): number {
    return this.interned;
  }

  intern(state: unknown): number {
    const k = this.model.key(state);
    let id = this.stateIds.get(k);
    if (id === undefined) {
      id = this.freeIds.pop() ?? this.states.length;
      this.interned++;
      this.stateIds.set(k, id);
      this.states[id] = state;
    }
    return id;
  }

  state(id: number): unknown {
    return this.states[id];
  }

  /** How to step `op` (valid until the next call). */
  encode(op: ModelOp): StepCode {
    const c = this.code;
    const code = this.register ? REGISTER_CODES[op.f] : undefined;
    if (code === undefined) {
      c.kind = this.kind(op);
      c.a = c.b = 0;
    } else {
      const [from, to] = code === CAS || code === CAS_FAILED ? (op.value as [unknown, unknown]) : [op.value, undefined];
      c.kind = code;
      c.a = this.intern(from);
      c.b = code === CAS ? this.intern(to) : 0;
    }
    return c;
  }

  /** The kind of an op, interned. */
  kind(op: ModelOp): number {
    const k = kindKey(op);
    let id = this.kindIds.get(k);
    if (id === undefined) {
      id = this.nextKind++;
      this.kindIds.set(k, id);
      this.kindById.set(id, op);
    }
    return id;
  }

  /** The state after op kind `kind` from state `state`, or ILLEGAL. */
  next(state: number, kind: number): number {
    const cached = this.cache.get(state, kind, UNKNOWN);
    if (cached !== UNKNOWN) return cached;
    this.steps++;
    const r = this.model.step(this.states[state], this.kindById.get(kind)!);
    const id = isInconsistent(r) ? ILLEGAL : this.intern(r);
    this.cache.add(state, kind, id);
    return id;
  }

  /** Keeps only the states and kinds the predicates accept; the transition cache starts over. */
  forget(liveState: (id: number) => boolean, liveKind: (id: number) => boolean): void {
    for (const [k, id] of this.stateIds) {
      if (liveState(id)) continue;
      this.stateIds.delete(k);
      this.states[id] = undefined;
      this.freeIds.push(id);
    }
    for (const [k, id] of this.kindIds) {
      if (liveKind(id)) continue;
      this.kindIds.delete(k);
      this.kindById.delete(id);
    }
    this.cache.clear();
  }

  get bytes(): number {
    // The cache's table plus a rough 100 bytes per interned state and kind (map entry and object).
    return this.cache.bytes + 100 * (this.stateIds.size + this.kindById.size);
  }
}
