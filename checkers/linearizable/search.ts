/**
 * The linearizability search for one partition: Wing & Gong's backtracking with Lowe's
 * memoization of configurations (linearized set, model state), engineered for V8.
 *
 * - Pending calls and returns form doubly linked lists over Int32Arrays (lift / unlift in
 *   O(1)): one of required ops' calls and returns, one of optional ops' calls, tried after
 *   the required candidates. The DFS stack is typed arrays of (op, previous state).
 * - A configuration is keyed by (state id, linearized set). The linearized ops are two bitsets,
 *   one over required ops (ok) and one over optional ops (crashed), each stored as the window of
 *   words between its first non-full word and its last non-zero word: words below are all ones,
 *   words above all zeros, so the window identifies the set exactly. Windows stay as small as
 *   the concurrency. Keys live inline in a typed-array hash set (memo.ts).
 * - States are interned and transitions cached (transitions.ts): a step is a table lookup.
 * - Optional ops have no return event, so they never force a backtrack, and the search stops as
 *   soon as every required op is linearized (Knossos's early success).
 * - Greedy read-only steps: a pending op that is legal now and read-only in every state is
 *   linearized without trying alternatives first. Sound: if the configuration extends to a
 *   linearization, moving that op to the front keeps real-time order (it is callable now) and
 *   legality (it changes nothing). When its branch fails, its parent configuration fails too.
 *
 * The loop polls the deadline, the memory budget and a cancel flag every 4096 iterations and
 * returns `timeout` / `memory` / `cancelled` with the evidence gathered so far.
 */
import { KeySet, finish, mix } from './memo.ts';
import type { Model } from './model.ts';
import type { Partition } from './prepare.ts';
import { ILLEGAL, Transitions, opKinds } from './transitions.ts';

export interface SearchLimits {
  /** performance.now() past which the search gives up; Infinity for none. */
  deadline: number;
  /** Bytes the memo and transition tables may hold. */
  maxBytes: number;
  /** Shared flag: non-zero asks the search to stop. */
  cancel?: Int32Array;
}

export type SearchStatus = 'ok' | 'illegal' | 'timeout' | 'memory' | 'cancelled';

/** A longest partial linearization: the ops (entry indices) in order and the state after each. */
export interface PartialPath {
  entries: number[];
  states: number[];
  /** The required op whose return forced the backtrack (-1 when none). */
  blocked: number;
  /** The ops that were pending (callable) at that dead end. */
  candidates: number[];
}

export interface SearchResult {
  status: SearchStatus;
  /** Entry indices in linearization order, for `ok`. */
  linearization: number[] | undefined;
  /** The longest partial linearizations reached (different blocked ops), longest first. */
  partials: PartialPath[];
  transitions: Transitions;
  initState: number;
  configs: number;
  iterations: number;
}

const MAX_PARTIALS = 4;
const POLL_MASK = 4095;

export function search(model: Model<any>, p: Partition, limits: SearchLimits): SearchResult {
  const n = p.ops.length;
  const { kindOf, kindOps } = opKinds(p.ops);
  const tr = new Transitions(model, kindOps);
  const initState = tr.intern(model.init());

  const required = new Uint8Array(n);
  const readOnly = new Uint8Array(n);
  const rank = new Int32Array(n);
  let nReq = 0;
  let nOpt = 0;
  for (let e = 0; e < n; e++) {
    const req = p.ret[e] !== Infinity;
    required[e] = req ? 1 : 0;
    rank[e] = req ? nReq++ : nOpt++;
    if (model.readOnly?.(p.ops[e]!)) readOnly[e] = 1;
  }

  // Event lists over Int32Arrays. Node 0 heads the required ops' calls and returns in history
  // order; node OPT heads the optional ops' calls. Node 1 + e is the call of entry e, and
  // 1 + n + e the return of required entry e. Required candidates are tried before optional
  // ones (an ordering choice only: optional ops are needed only to explain a state).
  const callPos = Float64Array.from(p.call);
  const retPos = Float64Array.from(p.ret);
  const OPT = 1 + 2 * n;
  const next = new Int32Array(OPT + 1).fill(-1);
  const prev = new Int32Array(OPT + 1).fill(-1);
  const reqOrder: number[] = [];
  const optOrder: number[] = [];
  for (let e = 0; e < n; e++) {
    if (required[e]) reqOrder.push(1 + e, 1 + n + e);
    else optOrder.push(1 + e);
  }
  const posOf = (node: number): number => (node <= n ? callPos[node - 1]! : retPos[node - 1 - n]!);
  reqOrder.sort((a, b) => posOf(a) - posOf(b));
  optOrder.sort((a, b) => posOf(a) - posOf(b));
  for (const [head, order] of [[0, reqOrder], [OPT, optOrder]] as const) {
    let last: number = head;
    for (const node of order) {
      next[last] = node;
      prev[node] = last;
      last = node;
    }
  }
  /** The first pending return (the op that must be linearized soonest), or -1. */
  const firstReturn = (): number => {
    let x = next[0]!;
    while (x >= 0 && x <= n) x = next[x]!;
    return x;
  };

  const reqWords = (nReq >>> 5) + 1;
  const optWords = (nOpt >>> 5) + 1;
  const reqBits = new Uint32Array(reqWords);
  const optBits = new Uint32Array(optWords);
  let reqLo = 0;
  let reqHi = -1;
  let optLo = 0;
  let optHi = -1;
  const key = new Uint32Array(4 + reqWords + optWords);
  const memo = new KeySet();

  const setBit = (e: number): void => {
    const r = rank[e]!;
    const w = r >>> 5;
    if (required[e]) {
      const v = (reqBits[w]! | (1 << (r & 31))) >>> 0;
      reqBits[w] = v;
      if (w > reqHi) reqHi = w;
      if (w === reqLo && v === 0xffffffff) while (reqBits[reqLo] === 0xffffffff) reqLo++;
    } else {
      const v = (optBits[w]! | (1 << (r & 31))) >>> 0;
      optBits[w] = v;
      if (w > optHi) optHi = w;
      if (w === optLo && v === 0xffffffff) while (optBits[optLo] === 0xffffffff) optLo++;
    }
  };
  const clearBit = (e: number): void => {
    const r = rank[e]!;
    const w = r >>> 5;
    if (required[e]) {
      const v = (reqBits[w]! & ~(1 << (r & 31))) >>> 0;
      reqBits[w] = v;
      if (w < reqLo) reqLo = w;
      if (w === reqHi && v === 0) while (reqHi >= 0 && reqBits[reqHi] === 0) reqHi--;
    } else {
      const v = (optBits[w]! & ~(1 << (r & 31))) >>> 0;
      optBits[w] = v;
      if (w < optLo) optLo = w;
      if (w === optHi && v === 0) while (optHi >= 0 && optBits[optHi] === 0) optHi--;
    }
  };
  /** Adds the current linearized set with `state` to the memo; false when seen before. */
  const remember = (state: number): boolean => {
    let len = 4;
    let h = mix(mix(mix(0x9747b28c, state), reqLo), optLo);
    key[0] = state;
    key[1] = reqLo;
    key[2] = optLo;
    for (let w = reqLo; w <= reqHi; w++) {
      const v = reqBits[w]!;
      key[len++] = v;
      h = mix(h, v);
    }
    key[3] = len - 4;
    h = mix(h, len);
    for (let w = optLo; w <= optHi; w++) {
      const v = optBits[w]!;
      key[len++] = v;
      h = mix(h, v);
    }
    return memo.add(key, len, finish(h ^ len));
  };
  const lift = (e: number): void => {
    const c = 1 + e;
    next[prev[c]!] = next[c]!;
    if (next[c]! >= 0) prev[next[c]!] = prev[c]!;
    if (required[e]) {
      const r = 1 + n + e;
      next[prev[r]!] = next[r]!;
      if (next[r]! >= 0) prev[next[r]!] = prev[r]!;
    }
  };
  const unlift = (e: number): void => {
    if (required[e]) {
      const r = 1 + n + e;
      next[prev[r]!] = r;
      if (next[r]! >= 0) prev[next[r]!] = r;
    }
    const c = 1 + e;
    next[prev[c]!] = c;
    if (next[c]! >= 0) prev[next[c]!] = c;
  };

  const stackEntry = new Int32Array(n);
  const stackState = new Int32Array(n);
  const stackForced = new Uint8Array(n);
  let depth = 0;
  let state = initState;
  let reqLeft = nReq;
  let node = next[0]!;
  let iterations = 0;
  let status: SearchStatus = 'illegal';
  const partials: PartialPath[] = [];
  let bestDepth = -1;

  const recordPartial = (blockedNode: number, bound: number): void => {
    if (depth < bestDepth || (partials.length >= MAX_PARTIALS && depth === bestDepth)) return;
    const blocked = blockedNode > n ? blockedNode - 1 - n : -1;
    if (depth > bestDepth) {
      partials.length = 0;
      bestDepth = depth;
    } else if (partials.some((x) => x.blocked === blocked)) {
      return;
    }
    const entries: number[] = [];
    const states: number[] = [];
    for (let d = 0; d < depth; d++) {
      entries.push(stackEntry[d]!);
      states.push(d + 1 < depth ? stackState[d + 1]! : state);
    }
    const candidates: number[] = [];
    for (let x = next[0]!; x !== blockedNode && x >= 0; x = next[x]!) if (x <= n) candidates.push(x - 1);
    for (let x = next[OPT]!; x >= 0 && callPos[x - 1]! < bound; x = next[x]!) candidates.push(x - 1);
    partials.push({ entries, states, blocked, candidates });
  };

  let inOpt = false;
  let blockNode = -1;
  let bound = Infinity;
  for (;;) {
    if (reqLeft === 0) {
      status = 'ok';
      break;
    }
    if ((++iterations & POLL_MASK) === 0) {
      if (limits.cancel !== undefined && Atomics.load(limits.cancel, 0) !== 0) {
        status = 'cancelled';
        break;
      }
      if (performance.now() > limits.deadline) {
        status = 'timeout';
        break;
      }
      if (memo.bytes + tr.bytes > limits.maxBytes) {
        status = 'memory';
        break;
      }
    }
    if (!inOpt && (node < 0 || node > n)) {
      // The required candidates end at this return: optional ops invoked before it may go next.
      blockNode = node;
      bound = node < 0 ? Infinity : retPos[node - 1 - n]!;
      inOpt = true;
      node = next[OPT]!;
      continue;
    }
    let deadEnd = inOpt && (node < 0 || callPos[node - 1]! > bound);
    if (!deadEnd) {
      const e = node - 1;
      const s2 = tr.next(state, kindOf[e]!);
      if (s2 !== ILLEGAL) {
        setBit(e);
        const forced = readOnly[e] === 1 && s2 === state;
        if (remember(s2)) {
          stackEntry[depth] = e;
          stackState[depth] = state;
          stackForced[depth] = forced ? 1 : 0;
          depth++;
          lift(e);
          state = s2;
          reqLeft -= required[e]!;
          node = next[0]!;
          inOpt = false;
          continue;
        }
        clearBit(e);
        deadEnd = forced;
      }
      if (!deadEnd) {
        node = next[node]!;
        continue;
      }
    }
    const blockedNow = inOpt ? blockNode : firstReturn();
    recordPartial(blockedNow, blockedNow < 0 ? Infinity : retPos[blockedNow - 1 - n]!);
    let e = -1;
    let exhausted = false;
    for (;;) {
      if (depth === 0) {
        exhausted = true;
        break;
      }
      depth--;
      e = stackEntry[depth]!;
      unlift(e);
      clearBit(e);
      state = stackState[depth]!;
      reqLeft += required[e]!;
      if (stackForced[depth] !== 1) break;
    }
    if (exhausted) break;
    node = next[1 + e]!;
    inOpt = required[e] === 0;
    if (inOpt) {
      blockNode = firstReturn();
      bound = blockNode < 0 ? Infinity : retPos[blockNode - 1 - n]!;
    }
  }

  return {
    status,
    linearization: status === 'ok' ? Array.from(stackEntry.subarray(0, depth)) : undefined,
    partials,
    transitions: tr,
    initState,
    configs: memo.size,
    iterations,
  };
}
