/**
 * Generates histories for tests from a real sequential execution: concurrent processes invoke
 * ops, each op takes effect at one instant between its invocation and completion (or fails
 * without effect, or crashes before or after taking effect), so every generated history is
 * linearizable by construction. Each built-in model has an executor that plays the object.
 */
import type { Op, ProcessId } from '../../src/core/op.ts';

export interface Rand {
  next(): number;
  int(n: number): number;
  pick<T>(xs: readonly T[]): T;
}

/** mulberry32: a small seeded generator. */
export function rand(seed: number): Rand {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)]! };
}

export interface Executor {
  /** The model name in MODELS and its initial value. */
  model: string;
  init: unknown;
  /** A random invocation. */
  op(r: Rand): { f: string; value: unknown };
  /** Runs the op on the object: the new state and how it ended. */
  exec(state: unknown, f: string, value: unknown, r: Rand): { state: unknown; type: 'ok' | 'fail'; value: unknown };
  /** Ops that must not crash after taking effect (the model cannot express their effect). */
  noCrashAfterEffect?: readonly string[];
  /** The object's initial state, when it is not the model's `init` (kv: a map of keys). */
  start?: unknown;
}

const V = [0, 1, 2, 3];

export const EXECUTORS: Record<string, Executor> = {
  'cas-register': {
    model: 'cas-register',
    init: 0,
    op: (r) => r.pick([{ f: 'read', value: null }, { f: 'write', value: r.pick(V) }, { f: 'cas', value: [r.pick(V), r.pick(V)] }]),
    exec(s, f, v) {
      if (f === 'read') return { state: s, type: 'ok', value: s };
      if (f === 'write') return { state: v, type: 'ok', value: v };
      const [a, b] = v as [number, number];
      return a === s ? { state: b, type: 'ok', value: v } : { state: s, type: 'fail', value: v };
    },
  },
  'etcd-register': {
    model: 'etcd-register',
    init: null,
    op: (r) => r.pick([{ f: 'read', value: null }, { f: 'write', value: r.pick(V) }, { f: 'cas', value: [r.pick([null, ...V]), r.pick(V)] }]),
    exec(s, f, v) {
      if (f === 'read') return { state: s, type: 'ok', value: s };
      if (f === 'write') return { state: v, type: 'ok', value: v };
      const [a, b] = v as [number, number];
      return a === s ? { state: b, type: 'ok', value: v } : { state: s, type: 'fail', value: v };
    },
  },
  register: {
    model: 'register',
    init: 0,
    op: (r) => (r.next() < 0.5 ? { f: 'read', value: null } : { f: 'write', value: r.pick(V) }),
    exec: (s, f, v) => (f === 'read' ? { state: s, type: 'ok', value: s } : { state: v, type: 'ok', value: v }),
  },
  kv: {
    model: 'kv',
    init: '',
    start: {},
    op: (r) => ({ f: r.pick(['get', 'put', 'append', 'append']), value: [r.pick(['a', 'b']), r.next() < 0.5 ? 'x' : 'y'] }),
    exec(s, f, v) {
      const [k, x] = v as [string, string];
      const store = s as Record<string, string>;
      const cur = store[k] ?? '';
      if (f === 'get') return { state: s, type: 'ok', value: [k, cur] };
      return { state: { ...store, [k]: f === 'put' ? x : cur + x }, type: 'ok', value: v };
    },
  },
  set: {
    model: 'set',
    init: [],
    op: (r) => (r.next() < 0.6 ? { f: 'add', value: r.pick(V) } : { f: 'read', value: null }),
    exec(s, f, v) {
      const xs = s as number[];
      if (f === 'read') return { state: s, type: 'ok', value: [...xs] };
      return { state: xs.includes(v as number) ? xs : [...xs, v as number], type: 'ok', value: v };
    },
  },
  mutex: {
    model: 'mutex',
    init: false,
    op: (r) => ({ f: r.pick(['acquire', 'release']), value: null }),
    exec(s, f) {
      if (f === 'acquire') return s ? { state: s, type: 'fail', value: null } : { state: true, type: 'ok', value: null };
      return s ? { state: false, type: 'ok', value: null } : { state: s, type: 'fail', value: null };
    },
  },
  'fifo-queue': {
    model: 'fifo-queue',
    init: [],
    op: (r) => (r.next() < 0.5 ? { f: 'enqueue', value: r.pick(V) } : { f: 'dequeue', value: null }),
    exec(s, f, v) {
      const q = s as number[];
      if (f === 'enqueue') return { state: [...q, v as number], type: 'ok', value: v };
      return q.length === 0 ? { state: q, type: 'ok', value: null } : { state: q.slice(1), type: 'ok', value: q[0] };
    },
  },
  'unordered-queue': {
    model: 'unordered-queue',
    init: [],
    noCrashAfterEffect: ['dequeue'],
    op: (r) => (r.next() < 0.5 ? { f: 'enqueue', value: r.pick(V) } : { f: 'dequeue', value: null }),
    exec(s, f, v, r) {
      const q = s as number[];
      if (f === 'enqueue') return { state: [...q, v as number], type: 'ok', value: v };
      if (q.length === 0) return { state: q, type: 'ok', value: null };
      const i = r.int(q.length);
      return { state: [...q.slice(0, i), ...q.slice(i + 1)], type: 'ok', value: q[i] };
    },
  },
  'multi-register': {
    model: 'multi-register',
    init: { x: 0, y: 0 },
    op: (r) => ({
      f: 'txn',
      value: Array.from({ length: 1 + r.int(2) }, () => (r.next() < 0.5 ? ['read', r.pick(['x', 'y']), null] : ['write', r.pick(['x', 'y']), r.pick(V)])),
    }),
    exec(s, _f, v) {
      const regs = { ...(s as Record<string, number>) };
      const out = (v as [string, string, unknown][]).map(([mf, k, x]) => {
        if (mf === 'read') return [mf, k, regs[k] ?? null];
        regs[k] = x as number;
        return [mf, k, x];
      });
      return { state: regs, type: 'ok', value: out };
    },
  },
};

interface Pending {
  process: ProcessId;
  f: string;
  value: unknown;
  /** Set once the op took effect (or failed): how it will complete. */
  result?: { type: 'ok' | 'fail'; value: unknown };
}

/**
 * A linearizable history of about `ops` invocations by `threads` threads. Rates: crash (info)
 * before or after effect, and leaving ops pending at the end, are what make it interesting.
 */
export function simulate(ex: Executor, r: Rand, ops: number, threads: number, crashRate = 0.1): Op[] {
  const history: Op[] = [];
  const push = (process: ProcessId, type: Op['type'], f: string, value: unknown): void => {
    history.push({ index: history.length, time: history.length * 1000, process, type, f, value });
  };
  let state: unknown = ex.start ?? ex.init;
  const slots: (Pending | undefined)[] = new Array(threads).fill(undefined);
  const procOf = Array.from({ length: threads }, (_, i) => i);
  let nextProcess = threads;
  let invoked = 0;
  for (let guard = 0; guard < ops * 20; guard++) {
    const t = r.int(threads);
    const p = slots[t];
    if (!p) {
      if (invoked >= ops) {
        if (slots.every((s) => s === undefined)) break;
        continue;
      }
      const op = ex.op(r);
      slots[t] = { process: procOf[t]!, f: op.f, value: op.value };
      push(procOf[t]!, 'invoke', op.f, op.value);
      invoked++;
      continue;
    }
    const crash = (): void => {
      push(p.process, 'info', p.f, p.value);
      slots[t] = undefined;
      procOf[t] = nextProcess++;
    };
    if (!p.result) {
      if (r.next() < crashRate) {
        crash();
        continue;
      }
      const res = ex.exec(state, p.f, p.value, r);
      if (res.type === 'ok') state = res.state;
      p.result = { type: res.type, value: res.value };
      continue;
    }
    if (p.result.type === 'ok' && r.next() < crashRate && !ex.noCrashAfterEffect?.includes(p.f)) {
      crash();
      continue;
    }
    push(p.process, p.result.type, p.f, p.result.value);
    slots[t] = undefined;
  }
  for (const p of slots) {
    if (p?.result && ex.noCrashAfterEffect?.includes(p.f)) push(p.process, p.result.type, p.f, p.result.value);
  }
  return history;
}
