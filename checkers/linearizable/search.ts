/**
 * The linearizability search for one partition: Wing & Gong's backtracking with Lowe's
 * memoization of configurations (linearized set, model state), fed op by op and engineered so a
 * configuration costs O(concurrency) however long the history is.
 *
 * - Ops arrive in invocation order, each once its completion is known (`add`), and `advance`
 *   says how far the history is known. The search runs as far as the known ops decide and then
 *   suspends (`pending`); `end` says no op will follow. A dead end is only declared where every
 *   op that could go next is known, so `illegal` is final the moment it is returned.
 * - Candidates at a configuration are the unlinearized ops invoked before the earliest pending
 *   return: required ops (ok) in invocation order, then optional ones (crashed), found by
 *   scanning the op store (op-store.ts) from the first unlinearized op. Optional ops never force
 *   a backtrack, and once every required op is linearized the search is done (Knossos's early
 *   success).
 * - A configuration is keyed by (state id, the window of the linearized bits: words from the
 *   first one not all ones to the last one not all zeros), so keys are as short as the window.
 *   Keys live inline in a typed-array hash set (memo.ts); transitions are cached (transitions.ts).
 * - Greedy read-only steps: a candidate that is legal now and read-only in every state is
 *   linearized without trying alternatives first. Sound: if the configuration extends to a
 *   linearization, moving that op to the front keeps real-time order (it is callable now) and
 *   legality (it changes nothing). When its branch fails, its parent configuration fails too.
 * - The built-in registers prune with register-rules.ts: a write that overwrites a value a
 *   pending op still needs (and nothing can write again) is a dead end, crashed writes are only
 *   tried where someone needs their value, and compaction drops alternatives whose next op needs
 *   a value nothing pending can produce.
 * - Bounded memory (compaction): when the stack grows past 2·HORIZON frames, the alternatives
 *   left open below its bottom HORIZON frames are explored up to a cut (the earliest pending
 *   return of the configuration HORIZON frames up) and the configurations they reach there are
 *   kept as roots to explore should the current path fail. Roots that a kept configuration
 *   subsumes (same state and required ops, a subset of the crashed ops applied) are dropped.
 *   The bottom frames, the ops every live configuration has linearized, their memo entries and
 *   the states and kinds nobody refers to any more are then forgotten.
 *
 * The loop polls the deadline, the memory budget and a cancel flag every 4096 iterations and
 * returns `timeout` / `memory` / `cancelled` with the evidence gathered so far.
 */
import type { CheckBudget } from '../../src/core/checker.ts';
import { KeySet, finish, mix } from './memo.ts';
import { describeState, isInconsistent, type Model, type ModelOp } from './model.ts';
import { OpStore } from './op-store.ts';
import { Partials, TAIL, type RecordedPath } from './partials.ts';
import { RegisterRules } from './register-rules.ts';
import { withoutSubsumed } from './roots.ts';
import { ILLEGAL, Transitions, registerStep } from './transitions.ts';

export interface SearchLimits {
  /** performance.now() past which the search gives up; Infinity for none. */
  deadline: number;
  /** Bytes the memo, transition tables and op window may hold. */
  maxBytes: number;
  /** Shared flag: non-zero asks the search to stop. */
  cancel?: Int32Array;
}

/** Memory budget when none is given, in MB. */
export const DEFAULT_MEMORY_MB = 1024;

/**
 * Search limits from a check budget: the deadline leaves a little of the time budget for
 * assembling the result, and half the memory budget goes to the search's tables.
 */
export function limitsFor(budget: CheckBudget, started: number, cancel: Int32Array): SearchLimits & { timeMs: number | undefined; memoryMb: number } {
  const timeMs = budget.timeMs;
  const memoryMb = budget.memoryMb ?? DEFAULT_MEMORY_MB;
  return {
    timeMs,
    memoryMb,
    deadline: timeMs === undefined ? Infinity : started + Math.max(1, timeMs - Math.min(100, timeMs * 0.1)),
    maxBytes: memoryMb * 1024 * 1024 * 0.5,
    cancel,
  };
}

/** Tuning of a search; the defaults suit real histories, small values exercise compaction in tests. */
export interface SearchOptions {
  /** Frames kept on the stack when it is compacted (default HORIZON). */
  keepFrames?: number;
  /** Iterations a compaction may take before it is abandoned (default COMPACTION_BUDGET). */
  compactionBudget?: number;
}

export type SearchStatus = 'pending' | 'ok' | 'illegal' | 'timeout' | 'memory' | 'cancelled';

/** A longest partial linearization, described: ops with the state after each, the op that
 * blocked it and every op that was pending there with the reason it could not go next. */
export interface PartialLinearization {
  /** The ops linearized, in order (the last ones when `elided` > 0), with the model state after each. */
  ops: { index: number; state: string }[];
  /** Ops linearized before the first one listed (and the state they led to). */
  elided?: number;
  startState?: string;
  /** The op whose return forced the search back (-1 when none). */
  blocked: number;
  /** Ops that were pending at that point and why each could not go next. */
  candidates: { index: number; reason: string }[];
}

/** Frames kept on the stack before compaction (see above). */
const HORIZON = 1 << 13;
const POLL_MASK = 4095;
/** Iterations a compaction may spend before it is abandoned (and tried again later, less often). */
const COMPACTION_BUDGET = 1 << 22;

/** The search proper: suspends at the horizon of known ops, switches roots when the stack empties. */
const SEARCH = 0;
/** Compaction: collects the configurations reaching the cut, stops when the stack empties. */
const COLLECT = 1;
type Mode = typeof SEARCH | typeof COLLECT;

export class Search {
  readonly model: Model<any>;
  readonly tr: Transitions;
  readonly req = new OpStore();
  readonly opt = new OpStore();
  /** Both stores, required first (the order candidates are tried in). */
  private readonly stores: readonly OpStore[] = [this.req, this.opt];
  readonly partials = new Partials();
  status: SearchStatus = 'pending';
  /** Configurations memoized (all time), loop iterations, compactions done. */
  configs = 0;
  iterations = 0;
  compactions = 0;

  private state: number;
  private readonly initState: number;
  private depth = 0;
  private entry = new Int32Array(1024);
  private prevState = new Int32Array(1024);
  private bound = new Float64Array(1024);
  private forced = new Uint8Array(1024);
  /** Ops linearized in the configuration at the bottom of the stack, and its key (undefined: the initial one). */
  private rootDepth = 0;
  private rootKey: Uint32Array | undefined;
  /** Configurations at a cut still to explore should the stack's root fail. */
  private roots: Uint32Array[] = [];
  /** Scan position in the current configuration: phase (0 required, 1 optional), next rank, bound. */
  private phase = 0;
  private next = 0;
  private scanBound = Infinity;
  private entering = true;
  private horizon = 0;
  private ended = false;
  private memo = new KeySet();
  private key = new Uint32Array(64);
  private keyLen = 0;
  /** Frames kept after a compaction, and the depth that triggers the next one. */
  private readonly keepFrames: number;
  private readonly compactionBudget: number;
  private compactAt: number;
  private collected: Uint32Array[] = [];
  /** Built-in registers: which held ops need and write each value (null for other models). */
  private readonly rules: RegisterRules | null;
  /** Memo entries and states held after the last sweep of forgetUnreachable. */
  private sweptSize = { memo: 0, states: 0 };

  constructor(model: Model<any>, opts: SearchOptions = {}) {
    this.model = model;
    this.keepFrames = opts.keepFrames ?? HORIZON;
    this.compactionBudget = opts.compactionBudget ?? COMPACTION_BUDGET;
    this.compactAt = 2 * this.keepFrames;
    this.tr = new Transitions(model);
    this.rules = this.tr.register ? new RegisterRules(this.req, this.opt) : null;
    this.initState = this.tr.intern(model.init());
    this.state = this.initState;
    this.remember(this.state);
  }

  /** Ops held (the window), required and optional. */
  get windowSize(): number {
    return this.req.size + this.opt.size;
  }

  /**
   * While `pending`: the history position the known history must pass before running again can
   * get further (Infinity: only new ops can).
   */
  get waitingFor(): number {
    return this.entering ? -Infinity : this.scanBound;
  }

  /** The ops still held, as intervals (invocation and return positions) with their tags. */
  *held(): Generator<{ call: number; ret: number; op: ModelOp; tag: unknown }> {
    for (const store of this.stores) {
      for (let r = store.start; r < store.end; r++) {
        const i = r & store.mask;
        yield { call: store.call[i]!, ret: store.ret[i]!, op: store.ops[i]!, tag: store.tags[i] };
      }
    }
  }

  /** The held op invoked at history position `call`. */
  find(call: number): { call: number; ret: number; op: ModelOp; tag: unknown } | undefined {
    for (const x of this.held()) if (x.call === call) return x;
    return undefined;
  }

  get bytes(): number {
    return this.memo.bytes + this.tr.bytes + this.req.bytes + this.opt.bytes + this.entry.length * 17;
  }

  /**
   * Adds the next op in invocation order. `call` and `ret` are its positions in the history;
   * `ret` is Infinity for an op that may take effect at any later point, or not at all.
   */
  add(op: ModelOp, call: number, ret: number, tag?: unknown): void {
    const readOnly = this.model.readOnly?.(op) === true;
    const store = ret === Infinity ? this.opt : this.req;
    const code = this.tr.encode(op);
    const rank = store.push(call, ret, code, readOnly, op, tag);
    this.rules?.note(store, rank, this.tr.idLimit);
  }

  /** Every op invoked before history position `horizon` has been added. */
  advance(horizon: number): void {
    this.horizon = horizon;
  }

  /** No more ops will be added. */
  end(): void {
    this.horizon = Infinity;
    this.ended = true;
  }

  /** Runs until the known ops decide no more, or a verdict. */
  run(limits: SearchLimits): SearchStatus {
    if (this.status !== 'pending') return this.status;
    const r = this.explore(0, this.horizon, SEARCH, limits);
    this.status = r;
    return r;
  }

  /** The linearization found (histories indices of invocations), when `ok` and the stack holds all of it. */
  witness(): number[] | undefined {
    if (this.status !== 'ok' || this.rootKey !== undefined) return undefined;
    const out: number[] = [];
    for (let d = 0; d < this.depth; d++) out.push(this.callOf(this.entry[d]!));
    return out;
  }

  private callOf(e: number): number {
    return e >= 0 ? this.req.call[e & this.req.mask]! : this.opt.call[~e & this.opt.mask]!;
  }

  /** Builds the current configuration's key (with `state`) in `key`; returns its hash. */
  private buildKey(state: number): number {
    const req = this.req;
    const opt = this.opt;
    const need = 4 + (req.hi - req.lo + 1) + (opt.hi - opt.lo + 1);
    if (need > this.key.length) this.key = new Uint32Array(need * 2);
    const key = this.key;
    let len = 4;
    let h = mix(mix(mix(0x9747b28c, state), req.lo), opt.lo);
    key[0] = state;
    key[1] = req.lo;
    key[2] = opt.lo;
    const rb = req.bits;
    const rm = req.wordMask;
    for (let w = req.lo; w <= req.hi; w++) {
      const v = rb[w & rm]!;
      key[len++] = v;
      h = mix(h, v);
    }
    key[3] = len - 4;
    h = mix(h, len);
    const ob = opt.bits;
    const om = opt.wordMask;
    for (let w = opt.lo; w <= opt.hi; w++) {
      const v = ob[w & om]!;
      key[len++] = v;
      h = mix(h, v);
    }
    this.keyLen = len;
    return finish(h ^ len);
  }

  /** Adds the current configuration (with `state`) to the memo; false when seen before. */
  private remember(state: number): boolean {
    const hash = this.buildKey(state);
    const added = this.memo.add(this.key, this.keyLen, hash);
    if (added) this.configs++;
    return added;
  }

  private currentKey(): Uint32Array {
    this.buildKey(this.state);
    return this.key.slice(0, this.keyLen);
  }

  private setScan(phase: number, next: number, bound: number, entering: boolean): void {
    this.phase = phase;
    this.next = next;
    this.scanBound = bound;
    this.entering = entering;
  }

  /** Sets the bits and state to those of a configuration's key. */
  private load(key: Uint32Array): void {
    const reqLen = key[3]!;
    this.req.load(key[1]!, key.subarray(4, 4 + reqLen));
    this.opt.load(key[2]!, key.subarray(4 + reqLen));
    this.state = key[0]!;
  }

  /** The rank of the required op `firstReturn` found (-1 when none). */
  private firstReturnRank = -1;

  /** The earliest return among unlinearized required ops (Infinity when none); sets firstReturnRank. */
  private firstReturn(): number {
    const req = this.req;
    let at = Infinity;
    let rank = -1;
    for (let r = req.firstOpen(); r < req.end; r++) {
      if (req.linearized(r)) continue;
      const i = r & req.mask;
      if (req.call[i]! >= at) break;
      if (req.ret[i]! < at) {
        at = req.ret[i]!;
        rank = r;
      }
    }
    this.firstReturnRank = rank;
    return at;
  }

  private push(e: number, prev: number, bound: number, forced: boolean): void {
    if (this.depth === this.entry.length) {
      const grow = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.entry = grow(this.entry, (n) => new Int32Array(n));
      this.prevState = grow(this.prevState, (n) => new Int32Array(n));
      this.bound = grow(this.bound, (n) => new Float64Array(n));
      this.forced = grow(this.forced, (n) => new Uint8Array(n));
    }
    const d = this.depth++;
    this.entry[d] = e;
    this.prevState[d] = prev;
    this.bound[d] = bound;
    this.forced[d] = forced ? 1 : 0;
  }

  private setBit(e: number): void {
    if (e >= 0) this.req.set(e);
    else this.opt.set(~e);
  }

  private clearBit(e: number): void {
    if (e >= 0) this.req.clear(e);
    else this.opt.clear(~e);
  }

  /**
   * The DFS from the current configuration and scan position, over frames above `bottom`.
   * Search mode: returns `pending` at the first configuration the known ops cannot decide, `ok`,
   * `illegal` once every root is exhausted, or a budget status. Collect mode: configurations
   * whose earliest pending return is at or past `cut` go to `collected` unexpanded; returns
   * `pending` when everything above `bottom` is explored, `timeout` when over its budget.
   */
  private explore(bottom: number, cut: number, mode: Mode, limits: SearchLimits): SearchStatus {
    const req = this.req;
    const opt = this.opt;
    const tr = this.tr;
    const rules = this.rules;
    const collectUntil = mode === COLLECT ? this.iterations + this.compactionBudget : Infinity;
    let state = this.state;
    let phase = this.phase;
    let k = this.next;
    let bound = this.scanBound;
    let entering = this.entering;
    for (;;) {
      if (++this.iterations > collectUntil) {
        this.state = state;
        this.setScan(phase, k, bound, entering);
        return 'timeout';
      }
      if ((this.iterations & POLL_MASK) === 0 && mode === SEARCH) {
        if (limits.cancel !== undefined && Atomics.load(limits.cancel, 0) !== 0) return 'cancelled';
        if (performance.now() > limits.deadline) return 'timeout';
        if (this.bytes > limits.maxBytes) return 'memory';
      }
      let deadEnd = false;
      if (entering) {
        entering = false;
        phase = 0;
        k = req.firstOpen();
        bound = Infinity;
        if (mode === COLLECT) {
          this.state = state;
          const first = this.firstReturn();
          if (first >= cut) {
            this.collected.push(this.currentKey());
            deadEnd = true;
          } else if (rules !== null && !rules.canHoldNeeded(this.firstReturnRank, first, state)) {
            deadEnd = true;
          }
        }
      }
      let e = 0;
      let frameBound = bound;
      if (!deadEnd) {
        if (phase === 0) {
          const lo = req.lo << 5;
          if (k < lo) k = lo;
          while (k < req.end && req.linearized(k)) k++;
          if (k < req.end && req.call[k & req.mask]! < bound) {
            e = k;
            frameBound = Math.min(bound, req.ret[k & req.mask]!);
          } else {
            if (bound >= cut && mode === SEARCH) {
              // Every known required op is linearized, or the earliest pending return lies past
              // the known history: done, or wait for more.
              this.state = state;
              if (bound === Infinity && this.ended) return 'ok';
              this.setScan(phase, k, bound, entering);
              return 'pending';
            }
            phase = 1;
            k = opt.firstOpen();
            continue;
          }
        } else {
          while (k < opt.end && opt.call[k & opt.mask]! < bound && (opt.linearized(k) || (rules !== null && rules.pointless(k)))) k++;
          if (k < opt.end && opt.call[k & opt.mask]! < bound) e = ~k;
          else deadEnd = true;
        }
      }
      if (!deadEnd) {
        const store = e >= 0 ? req : opt;
        const i = (e >= 0 ? e : ~e) & store.mask;
        const code = store.kind[i]!;
        const s2 = code >= 0 ? tr.next(state, code) : registerStep(code, state, store.a[i]!, store.b[i]!);
        const doomed = rules !== null && s2 !== ILLEGAL && s2 !== state ? rules.doomedBy(state, e, this.horizon) : -1;
        if (doomed >= 0 && mode === SEARCH) {
          this.state = state;
          this.recordDoomed(e, s2, doomed);
        }
        if (s2 !== ILLEGAL && doomed < 0) {
          const forced = store.readOnly[i] === 1 && s2 === state;
          this.setBit(e);
          if (this.remember(s2)) {
            this.push(e, state, frameBound, forced);
            state = s2;
            entering = true;
            if (mode === SEARCH && this.depth >= this.compactAt) {
              this.state = state;
              this.setScan(phase, k, bound, entering);
              this.compact(limits);
              state = this.state;
            }
            continue;
          }
          this.clearBit(e);
          deadEnd = forced;
        }
        if (!deadEnd) {
          bound = frameBound;
          k++;
          continue;
        }
      }
      // Dead end: back to the last frame with alternatives left (a forced frame's parent fails with it).
      if (mode === SEARCH) {
        this.state = state;
        this.recordPartial();
      }
      let exhausted = false;
      for (;;) {
        if (this.depth === bottom) {
          exhausted = true;
          break;
        }
        const d = --this.depth;
        e = this.entry[d]!;
        this.clearBit(e);
        state = this.prevState[d]!;
        if (this.forced[d] !== 1) break;
      }
      if (exhausted) {
        this.state = state;
        if (mode === COLLECT) return 'pending';
        const root = this.roots.pop();
        if (root === undefined) return 'illegal';
        this.load(root);
        state = this.state;
        this.rootKey = root;
        this.rootDepth = this.req.count() + this.opt.count();
        entering = true;
        continue;
      }
      phase = e >= 0 ? 0 : 1;
      k = (e >= 0 ? e : ~e) + 1;
      bound = this.bound[this.depth]!;
    }
  }

  /** Offers the current path at a dead end to the longest partial linearizations. */
  private recordPartial(): void {
    const length = this.rootDepth + this.depth;
    if (length < this.partials.depth) return;
    const at = this.firstReturn();
    const rank = this.firstReturnRank;
    const blocked = rank >= 0 ? this.req.call[rank & this.req.mask]! : -1;
    if (!this.partials.wants(length, blocked)) return;
    const path = this.pathTail(blocked);
    for (const store of this.stores) {
      for (let r = store.firstOpen(); r < store.end; r++) {
        const i = r & store.mask;
        if (store.call[i]! >= at) break;
        if (!store.linearized(r)) path.candidates.push({ call: store.call[i]!, op: store.ops[i]! });
      }
    }
    this.partials.add(length, path);
  }

  /**
   * Offers the path that op `e` would extend (to state `after`) had it not overwritten a value
   * the required op `needer` still needs: the path ends there, blocked by that op, as the search
   * would find it after linearizing what lies between.
   */
  private recordDoomed(e: number, after: number, needer: number): void {
    const length = this.rootDepth + this.depth + 1;
    if (length < this.partials.depth) return;
    const i = needer & this.req.mask;
    const blocked = this.req.call[i]!;
    if (!this.partials.wants(length, blocked)) return;
    const path = this.pathTail(blocked);
    path.calls.push(this.callOf(e));
    path.statesBefore.push(this.state);
    path.lastState = after;
    path.candidates.push({ call: blocked, op: this.req.ops[i]! });
    if (path.calls.length > TAIL) {
      path.calls.shift();
      path.statesBefore.shift();
      path.elided++;
    }
    this.partials.add(length, path);
  }

  /** The current path's last TAIL ops, ending in the current state, without candidates yet. */
  private pathTail(blocked: number): RecordedPath {
    const from = Math.max(0, this.depth - TAIL);
    const path: RecordedPath = { elided: this.rootDepth + from, calls: [], statesBefore: [], lastState: this.state, blocked, candidates: [] };
    for (let d = from; d < this.depth; d++) {
      path.calls.push(this.callOf(this.entry[d]!));
      path.statesBefore.push(this.prevState[d]!);
    }
    return path;
  }

  /**
   * Bounds the stack (see the header): explores the alternatives left open below its bottom
   * HORIZON frames, and the roots, up to the cut; keeps what reaches it as the new roots; then
   * forgets the bottom frames and everything only they could reach. Abandoned (and retried less
   * often) when the alternatives do not close within COMPACTION_BUDGET iterations.
   */
  private compact(limits: SearchLimits): void {
    const top = this.depth;
    /** The new bottom: the deepest frame at or below top - keepFrames whose configuration is decided (see below). */
    let keep = top - this.keepFrames;
    const topState = this.state;
    const scan = [this.phase, this.next, this.scanBound, this.entering] as const;
    const mark = this.memo.mark();
    this.collected = [];
    let cut = Infinity;
    let bottomKey: Uint32Array | undefined;
    let undone = top;
    const exploreFrom = (): boolean => {
      this.depth = top;
      return this.explore(top, cut, COLLECT, limits) !== 'timeout';
    };
    let closed = true;
    for (let d = top - 1; d >= 0 && closed; d--) {
      const e = this.entry[d]!;
      this.clearBit(e);
      this.state = this.prevState[d]!;
      undone = d;
      // The cut must lie within the known history, or collecting would declare dead ends that
      // ops not yet known could fill; a configuration may have pushed frames before its
      // earliest pending return was known, so the bottom is the deepest one where it is.
      if (bottomKey === undefined && d <= keep) {
        const first = this.firstReturn();
        if (first < this.horizon) {
          cut = first;
          bottomKey = this.currentKey();
          keep = d;
        }
      }
      if (bottomKey !== undefined && d < keep && this.forced[d] !== 1) {
        this.setScan(e >= 0 ? 0 : 1, (e >= 0 ? e : ~e) + 1, this.bound[d]!, false);
        closed = exploreFrom();
      }
    }
    // Without a decided bottom there is nothing to compact: the roots stay as they are.
    const rootNow = closed ? this.currentKey() : undefined;
    for (const root of closed && bottomKey !== undefined ? this.roots : []) {
      this.load(root);
      this.entering = true;
      if (!(closed = exploreFrom())) break;
    }
    if (!closed) {
      // Unwind what the abandoned exploration left on the stack; forget what it memoized.
      while (this.depth > top) this.clearBit(this.entry[--this.depth]!);
      this.memo.rollback(mark);
      this.compactAt = top * 2;
    }
    if (rootNow) this.load(rootNow);
    this.depth = top;
    for (let d = rootNow ? 0 : undone; d < top; d++) this.setBit(this.entry[d]!);
    this.state = topState;
    this.setScan(...scan);
    if (bottomKey === undefined) this.compactAt = top + this.keepFrames;
    if (!closed || bottomKey === undefined) return;
    // The bottom `keep` frames go; the configuration they led to becomes the stack's root.
    this.entry.copyWithin(0, keep, top);
    this.prevState.copyWithin(0, keep, top);
    this.bound.copyWithin(0, keep, top);
    this.forced.copyWithin(0, keep, top);
    this.depth = top - keep;
    this.rootDepth += keep;
    this.rootKey = bottomKey;
    this.roots = withoutSubsumed(this.collected, bottomKey);
    this.collected = [];
    this.compactions++;
    // The bottom may have been found deeper than asked: the next compaction waits for as many new frames.
    this.compactAt = Math.max(2 * this.keepFrames, this.depth + this.keepFrames);
    this.forgetUnreachable();
  }

  /** Drops the ops, and from time to time the memo entries, states and kinds, no live configuration can reach. */
  private forgetUnreachable(): void {
    let minReq = this.rootKey![1]!;
    let minOpt = this.rootKey![2]!;
    for (const r of this.roots) {
      minReq = Math.min(minReq, r[1]!);
      minOpt = Math.min(minOpt, r[2]!);
    }
    this.req.dropBefore(minReq << 5);
    this.opt.dropBefore(minOpt << 5);
    // The tables are swept when they have doubled since the last sweep: bounded, at a cost
    // proportional to what is kept.
    if (this.memo.size < 2 * this.sweptSize.memo && this.tr.held < 2 * this.sweptSize.states) return;
    const states = new Set<number>([this.state, this.initState, this.rootKey![0]!]);
    this.memo.retain((arena, at) => {
      if (arena[at + 2]! < minReq || arena[at + 3]! < minOpt) return false;
      states.add(arena[at + 1]!);
      return true;
    });
    for (let d = 0; d < this.depth; d++) states.add(this.prevState[d]!);
    for (const r of this.roots) states.add(r[0]!);
    for (const x of this.partials.states()) states.add(x);
    const kinds = new Set<number>();
    for (const store of this.stores) {
      for (let r = store.start; r < store.end; r++) {
        const i = r & store.mask;
        const code = store.kind[i]!;
        if (code >= 0) {
          kinds.add(code);
        } else {
          states.add(store.a[i]!);
          states.add(store.b[i]!);
        }
      }
    }
    this.tr.forget((id) => states.has(id), (id) => kinds.has(id));
    this.rules?.rebuild(this.tr.idLimit);
    this.sweptSize = { memo: this.memo.size, states: this.tr.held };
  }

  /** The longest partial linearizations, described with the model's words. */
  describePartials(): PartialLinearization[] {
    const describe = (id: number): string => describeState(this.model, this.tr.state(id));
    return this.partials.paths.map((p) => {
      const out: PartialLinearization = {
        ops: p.calls.map((index, i) => ({ index, state: describe(i + 1 < p.calls.length ? p.statesBefore[i + 1]! : p.lastState) })),
        blocked: p.blocked,
        candidates: p.candidates.map((c) => {
          const r = this.model.step(this.tr.state(p.lastState), c.op);
          return { index: c.call, reason: isInconsistent(r) ? r.message : 'legal here, but every continuation after it fails' };
        }),
      };
      if (p.elided > 0) Object.assign(out, { elided: p.elided, startState: describe(p.statesBefore[0] ?? p.lastState) });
      return out;
    });
  }
}
