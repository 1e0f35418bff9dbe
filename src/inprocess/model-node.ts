/**
 * The in-process stores as node logic on Faultline's runtime (src/stores/runtime.ts), so they run
 * in the one simulator (src/sim/simulator.ts) like the reference stores: in simulated time for
 * checker tests (client-histories.ts), and in step with the wall clock inside the controller for
 * `faultline test --db inprocess:*` (inprocess-clients.ts).
 *
 * A store is a model: its state, how an op applies to it, and where an op runs. `primary` ops run
 * on the one copy the primary (the lowest node id) holds; other nodes forward them and relay the
 * answer, so the op takes effect at one instant between its invocation and its completion.
 * `here` ops run on the copy of the node the client called; what they `replicate` reaches every
 * other node as a message, applied there by `merge` in whatever order it arrives (the network
 * delays each message on its own), which is how the flawed stores lag and diverge. Requests are
 * a workload's ops `{f, value}`; replies are completions.
 */
import type { Completion } from '../core/client.ts';
import type { Runtime } from '../stores/runtime.ts';
import type { SimNode } from '../sim/simulator.ts';

/** A client op as a store receives it. */
export interface ModelOp {
  f: string;
  value: unknown;
}

export interface ModelContext<U> {
  /** The node the op runs on. */
  readonly node: string;
  /** Uniform in [0, 1), from the node's seeded stream. */
  random(): number;
  /** Sends an update to every other node, where `merge` applies it. */
  replicate(update: U): void;
  /** Runs `fn` on this node after `ms` (work the store finishes later, such as a delayed credit). */
  later(ms: number, fn: () => void): void;
}

export interface StoreModel<S, U = never> {
  init(): S;
  /** Where the op runs (default: on the primary's copy). */
  where?(op: ModelOp): 'primary' | 'here';
  apply(state: S, op: ModelOp, ctx: ModelContext<U>): Completion;
  /** Applies an update another node replicated. */
  merge?(state: S, update: U): void;
}

/** A store the simulator can run: a node's logic on its runtime. */
export interface InProcessStore {
  node(rt: Runtime<unknown>): SimNode<ModelOp, Completion>;
}

type Message = { type: 'forward'; id: number; op: ModelOp } | { type: 'result'; id: number; completion: Completion } | { type: 'update'; update: unknown };

class ModelNode<S, U> implements SimNode<ModelOp, Completion> {
  readonly #rt: Runtime<unknown>;
  readonly #model: StoreModel<S, U>;
  readonly #primary: string;
  readonly #state: S;
  readonly #ctx: ModelContext<U>;
  readonly #forwarded = new Map<number, (c: Completion) => void>();
  #nextId = 0;

  constructor(rt: Runtime<unknown>, model: StoreModel<S, U>) {
    this.#rt = rt;
    this.#model = model;
    this.#primary = [rt.self, ...rt.peers].sort()[0]!;
    this.#state = model.init();
    this.#ctx = {
      node: rt.self,
      random: () => rt.random(),
      replicate: (update) => {
        for (const peer of rt.peers) rt.send(peer, { type: 'update', update });
      },
      later: (ms, fn) => void rt.setTimer(ms, fn),
    };
  }

  start(): void {}

  stop(): void {}

  status() {
    return { node: this.#rt.self, store: 'in-process', role: this.#rt.self === this.#primary ? 'leader' : 'follower', term: 0, leader: this.#primary };
  }

  submit(op: ModelOp, done: (c: Completion) => void): void {
    if ((this.#model.where?.(op) ?? 'primary') === 'here' || this.#rt.self === this.#primary) {
      done(this.#model.apply(this.#state, op, this.#ctx));
      return;
    }
    const id = this.#nextId++;
    this.#forwarded.set(id, done);
    this.#rt.send(this.#primary, { type: 'forward', id, op });
  }

  receive(from: string, msg: unknown): void {
    const m = msg as Message;
    if (m.type === 'forward') {
      this.#rt.send(from, { type: 'result', id: m.id, completion: this.#model.apply(this.#state, m.op, this.#ctx) });
    } else if (m.type === 'result') {
      const done = this.#forwarded.get(m.id);
      this.#forwarded.delete(m.id);
      done?.(m.completion);
    } else if (m.type === 'update') {
      this.#model.merge?.(this.#state, m.update as U);
    }
  }
}

/** The store of a model: one ModelNode per node. */
export function modelStore<S, U = never>(model: StoreModel<S, U>): InProcessStore {
  return { node: (rt) => new ModelNode(rt, model) };
}
