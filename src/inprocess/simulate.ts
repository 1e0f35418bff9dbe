/**
 * A pure, timer-free simulation of concurrent clients against an in-process store, producing a
 * history. Each step picks a client thread at random: an idle thread invokes its next op (maybe
 * on another node, as behind a load balancer); a busy thread either lets its op take effect (the
 * store's `apply`, at one instant between invocation and completion) or, once applied, completes
 * it. Some ops end `info`: either the effect happened and the answer was lost, or the request is
 * stuck and may still land at a later step or never. After an `info` the thread continues under
 * a fresh process id. The same seed gives the same history.
 */
import type { Completion } from '../core/client.ts';
import type { OpTemplate, Rng } from '../core/generator.ts';
import type { History, Op } from '../core/op.ts';

export interface StoreOp {
  process: number;
  f: string;
  value: unknown;
  node: string;
}

/** A store the simulation drives: apply one op at its linearization point. */
export interface SimStore {
  apply(op: StoreOp, rng: Rng): Completion;
  /** Background work between steps (replication, anti-entropy). */
  tick?(rng: Rng): void;
  /** Called before the final ops: bring every replica up to date. */
  settle?(): void;
}

export interface SimulateOptions {
  rng: Rng;
  store: SimStore;
  /** Client threads. */
  threads: number;
  nodes: readonly string[];
  /** Main-phase ops; `n` counts invocations from 0. Return null to stop early. */
  nextOp: (rng: Rng, n: number) => OpTemplate | null;
  ops: number;
  /** Chance that an idle thread moves to another node before invoking. */
  switchNodeRate?: number;
  /** Chance that an op ends info (half of them after taking effect, half stuck). */
  infoRate?: number;
  /** The op to invoke after one ended info (a client retry); null for the next op. */
  retry?: (info: Op) => OpTemplate | null;
  /** Ops run one after another on thread 0 after `settle`. */
  final?: readonly OpTemplate[];
}

interface InFlight {
  op: StoreOp;
  invokeIndex: number;
  result?: Completion;
}

const STEP_NS = 1_000_000;

export function simulate(o: SimulateOptions): History {
  const { rng, store } = o;
  const history: Op[] = [];
  const nodeOf: string[] = [];
  const processOf: number[] = [];
  const inFlight: Array<InFlight | undefined> = [];
  const retries: Array<OpTemplate | null> = [];
  const stuck: StoreOp[] = [];
  let nextProcess = o.threads;
  let invoked = 0;
  let time = 0;
  for (let t = 0; t < o.threads; t++) {
    nodeOf.push(o.nodes[t % o.nodes.length]!);
    processOf.push(t);
    inFlight.push(undefined);
    retries.push(null);
  }
  const push = (fields: Omit<Op, 'index' | 'time'>): Op => {
    time += STEP_NS;
    const op = { index: history.length, time, ...fields } as Op;
    history.push(op);
    return op;
  };
  const invoke = (t: number, tmpl: OpTemplate): void => {
    const op: StoreOp = { process: processOf[t]!, f: tmpl.f, value: tmpl.value ?? null, node: nodeOf[t]! };
    const inv = push({ process: op.process, type: 'invoke', f: op.f, value: op.value, node: op.node });
    inFlight[t] = { op, invokeIndex: inv.index };
  };
  const complete = (t: number, c: Completion): Op => {
    const f = inFlight[t]!;
    inFlight[t] = undefined;
    const fields: Omit<Op, 'index' | 'time'> = { process: f.op.process, type: c.type, f: f.op.f, value: c.value === undefined ? f.op.value : c.value, node: f.op.node };
    if (c.error !== undefined) fields.error = c.error;
    const done = push(fields);
    if (c.type === 'info') processOf[t] = nextProcess++;
    return done;
  };
  const infoRate = o.infoRate ?? 0;

  for (;;) {
    const busy = inFlight.some((f) => f !== undefined);
    const more = invoked < o.ops || retries.some((r) => r !== null);
    if (!busy && !more) break;
    store.tick?.(rng);
    if (stuck.length > 0 && rng.next() < 0.1) {
      const [late] = stuck.splice(rng.int(stuck.length), 1);
      if (rng.next() < 0.5) store.apply(late!, rng);
    }
    const t = rng.int(o.threads);
    const f = inFlight[t];
    if (f === undefined) {
      const retry = retries[t];
      retries[t] = null;
      const tmpl = retry ?? (invoked < o.ops ? o.nextOp(rng, invoked) : null);
      if (tmpl === null) {
        if (retry == null) invoked = o.ops;
        continue;
      }
      if (!retry) invoked++;
      if (o.nodes.length > 1 && rng.next() < (o.switchNodeRate ?? 0)) nodeOf[t] = o.nodes[rng.int(o.nodes.length)]!;
      invoke(t, tmpl);
    } else if (f.result === undefined) {
      if (infoRate > 0 && rng.next() < infoRate / 2) {
        stuck.push(f.op);
        const done = complete(t, { type: 'info', error: 'timeout' });
        retries[t] = o.retry?.(done) ?? null;
      } else {
        f.result = store.apply(f.op, rng);
      }
    } else {
      const lost = infoRate > 0 && f.result.type === 'ok' && rng.next() < infoRate / 2;
      const done = complete(t, lost ? { type: 'info', error: 'connection reset' } : f.result);
      if (lost) retries[t] = o.retry?.(done) ?? null;
    }
  }
  store.settle?.();
  for (const tmpl of o.final ?? []) {
    invoke(0, tmpl);
    const f = inFlight[0]!;
    complete(0, store.apply(f.op, rng));
  }
  return history;
}
