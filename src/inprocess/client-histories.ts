/**
 * Histories of concurrent clients against an in-process store, made in the simulator in simulated
 * time (no timers, synchronous, the same seed gives the same history): what checker tests and
 * benchmarks use. Each client thread invokes its next op when the last one completed (after a
 * short think time), on its node; it may move to another node first, as behind a load balancer.
 * Some ops end `info`: either the request took effect and its answer was lost, or it is stuck in
 * the network and lands later, or never. After an `info` the thread continues under a fresh
 * process id, with the retry the caller asks for. Once every op completed and every message
 * arrived (the replicas have converged), the final ops run one after another on thread 0.
 */
import type { Completion } from '../core/client.ts';
import type { OpTemplate, Rng } from '../core/generator.ts';
import type { History, Op } from '../core/op.ts';
import { makeRng } from '../generator/rng.ts';
import { uniform } from '../sim/latency.ts';
import { Simulator } from '../sim/simulator.ts';
import type { InProcessStore, ModelOp } from './model-node.ts';

export interface ClientRunOptions {
  /** Seeds the simulation and every choice made here. */
  seed: number;
  store: InProcessStore;
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
  /** Ops run one after another on thread 0 once everything else is done. */
  final?: readonly OpTemplate[];
}

/** Messages between nodes take 0.5-10 ms (how far replicas lag); clients reach a node in 0.02-0.2 ms. */
const NODE_LATENCY = uniform(0.5, 10);
const CLIENT_LATENCY = uniform(0.02, 0.2);
/** A thread waits this long between ops, at most (ms). */
const THINK_MS = 1;
/** How long a client waits for an answer it will not get before it calls the op info (ms). */
const INFO_AFTER_MS = 20;

interface Thread {
  process: number;
  node: string;
  retry: OpTemplate | null;
}

export function runClients(o: ClientRunOptions): History {
  const sim = new Simulator<ModelOp, Completion>({ seed: o.seed, nodes: o.nodes, create: (rt) => o.store.node(rt), latency: NODE_LATENCY, clientLatency: CLIENT_LATENCY });
  const rng = makeRng(o.seed);
  const history: Op[] = [];
  const infoRate = o.infoRate ?? 0;
  const threads: Thread[] = Array.from({ length: o.threads }, (_, t) => ({ process: t, node: o.nodes[t % o.nodes.length]!, retry: null }));
  let nextProcess = o.threads;
  let invoked = 0;

  const record = (fields: Omit<Op, 'index' | 'time'>): Op => {
    const op = { index: history.length, time: Math.round(sim.time * 1e6), ...fields } as Op;
    history.push(op);
    return op;
  };

  /** Invokes an op on a thread; `after` runs once it completed. */
  const invoke = (t: Thread, tmpl: OpTemplate, mayFail: boolean, after: (done: Op) => void): void => {
    const op: ModelOp = { f: tmpl.f, value: tmpl.value ?? null };
    const process = t.process;
    record({ process, type: 'invoke', f: op.f, value: op.value, node: t.node });
    let completed = false;
    const complete = (c: Completion): void => {
      if (completed) return;
      completed = true;
      const fields: Omit<Op, 'index' | 'time'> = { process, type: c.type, f: op.f, value: c.value === undefined ? op.value : c.value, node: t.node };
      if (c.error !== undefined) fields.error = c.error;
      const done = record(fields);
      if (c.type === 'info') t.process = nextProcess++;
      after(done);
    };
    const r = mayFail ? rng.next() : 1;
    if (r < infoRate / 2) {
      // Stuck in the network: it may still land, later or never.
      if (rng.next() < 0.5) sim.schedule(INFO_AFTER_MS * (1 + 10 * rng.next()), () => sim.request(t.node, op, () => {}));
      sim.schedule(INFO_AFTER_MS, () => complete({ type: 'info', error: 'timeout' }));
      return;
    }
    const answerLost = r < infoRate;
    sim.request(t.node, op, (reply) => {
      if (answerLost) complete({ type: 'info', error: 'connection reset' });
      else complete(reply.kind === 'reply' ? reply.reply : { type: reply.kind === 'refused' ? 'fail' : 'info', error: reply.kind });
    });
  };

  const next = (t: Thread): void => {
    const retry = t.retry;
    t.retry = null;
    const tmpl = retry ?? (invoked < o.ops ? o.nextOp(rng, invoked) : null);
    if (tmpl === null) {
      if (retry === null) invoked = o.ops;
      return;
    }
    if (retry === null) invoked++;
    if (o.nodes.length > 1 && rng.next() < (o.switchNodeRate ?? 0)) t.node = o.nodes[rng.int(o.nodes.length)]!;
    invoke(t, tmpl, true, (done) => {
      if (done.type === 'info') t.retry = o.retry?.(done) ?? null;
      sim.schedule(rng.next() * THINK_MS, () => next(t));
    });
  };

  for (const t of threads) sim.schedule(rng.next() * THINK_MS, () => next(t));
  while (sim.step());
  for (const tmpl of o.final ?? []) {
    invoke(threads[0]!, tmpl, false, () => {});
    while (sim.step());
  }
  return history;
}
