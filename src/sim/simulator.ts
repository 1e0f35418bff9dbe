/**
 * The deterministic simulator: node logic written against the Runtime (src/stores/runtime.ts)
 * runs here with one event queue, a fake clock, seeded randomness, a simulated network
 * (network.ts) and disks that lose unflushed writes (disk.ts). Nothing reads the wall clock or
 * an unseeded random source, so the same seed and the same calls always give the same run.
 *
 * What a node sees, per incarnation (a crash ends one, a restart begins the next on the same
 * disk): `send` goes through the network; `setTimer` / `defer` are events on the queue;
 * `monotonic` is simulated time; `now` adds the node's clock offset (clock faults) to a fixed
 * epoch; `random` is a stream of its own. A paused node (SIGSTOP) runs nothing: its timers,
 * arriving messages, finished fsyncs and client requests wait and all run when it resumes.
 * A crash (SIGKILL) drops the incarnation's timers and unflushed writes, and resets the
 * connections of clients waiting for it; a power loss also drops what the disk never fsynced.
 *
 * Clients reach nodes two ways: `request` (over client links with latency: what `faultline sim`
 * uses) and `submit` (straight into the node, no network: what unit tests of node logic use).
 */
import type { Rng } from '../core/generator.ts';
import { rngFor } from '../../nemeses/generators.ts';
import type { SyncMode } from '../stores/real/file-storage.ts';
import type { Runtime, TimerHandle } from '../stores/runtime.ts';
import { EventQueue, type EventOwner, type SimEvent } from './event-queue.ts';
import { jsonCopy, jsonCopyOf } from './json-copy.ts';
import { SimDisk, SimStorage } from './disk.ts';
import { latencySampler, type LatencySampler } from './latency.ts';
import { SimNetwork } from './network.ts';

/** Wall-clock time a simulated node's `now()` starts from (ms since the epoch). */
export const SIM_EPOCH_MS = 1_700_000_000_000;

/** The node logic the simulator runs: one object per node incarnation. */
export interface SimNode<Req, Rep> {
  start(): void;
  receive(from: string, msg: unknown): void;
  /** Calls `done` exactly once with the reply. */
  submit(req: Req, done: (reply: Rep) => void): void;
  status(): { role: string; term: number; leader: string | null; [detail: string]: unknown };
  /** Operator commands (`POST /admin/<command>`); calls `done` exactly once. */
  admin?(command: string, body: unknown, done: (reply: Rep) => void): void;
  stop(): void;
}

export interface SimulatorOptions<Req, Rep> {
  seed: number;
  nodes: readonly string[];
  /** Builds a node's logic on its runtime; called at the first start and at every restart. */
  create: (rt: Runtime<unknown>) => SimNode<Req, Rep>;
  /** One-way message latency between nodes (default: the datacenter profile). */
  latency?: LatencySampler;
  /** One-way latency between a client and a node (default: as between nodes). */
  clientLatency?: LatencySampler;
  /** Time an fsync takes, uniform in [min, max] ms (default [0.1, 2]). */
  fsyncMs?: readonly [number, number];
  /** How disks sync (default fsync). */
  syncMode?: SyncMode;
  /** Called with a node's status after every event the node handled (invariant checks). */
  observe?: (node: string, status: NodeStatus) => void;
}

export type NodeStatus = ReturnType<SimNode<unknown, unknown>['status']>;

/** How a client request through `request` ended. */
export type ClientReply<Rep> =
  | { kind: 'reply'; reply: Rep }
  /** The node was down: the connection was refused, nothing was sent. */
  | { kind: 'refused' }
  /** The node crashed with the request in hand: it may or may not have acted on it. */
  | { kind: 'reset' };

/** A request made with `submit`, filled in when the node replies. */
export interface SubmittedRequest<Req, Rep> {
  node: string;
  req: Req;
  start: number;
  end?: number;
  reply?: Rep;
}

interface Waiting<Rep> {
  answered: boolean;
  onReply: (r: ClientReply<Rep>) => void;
}

/** One life of a node, from a (re)start to its crash: the owner of its timers. */
class Incarnation<Req, Rep> implements EventOwner {
  readonly id: string;
  readonly #observe: ((node: string, status: NodeStatus) => void) | undefined;
  node!: SimNode<Req, Rep>;
  alive = true;
  paused = false;
  /** What came due while paused, in order. */
  held: (() => void)[] = [];
  /** Client requests the node holds and has not answered. */
  readonly waiting = new Set<Waiting<Rep>>();

  constructor(id: string, observe: ((node: string, status: NodeStatus) => void) | undefined) {
    this.id = id;
    this.#observe = observe;
  }

  ran(): void {
    if (this.#observe && this.alive) this.#observe(this.id, this.node.status());
  }
}

export class Simulator<Req, Rep> {
  /** Simulated milliseconds since the start. */
  time = 0;
  /** Events processed so far. */
  events = 0;
  readonly network: SimNetwork;
  /** A stream for the caller's own choices (tests pick targets with it). */
  readonly random: () => number;
  /** Diagnostic lines from the nodes: [time, node, line]. */
  readonly logs: [number, string, string][] = [];
  /** Requests made with `submit`, in order. */
  readonly requests: SubmittedRequest<Req, Rep>[] = [];
  /** Called after every event; tests check invariants here. */
  onEvent: (() => void) | undefined;

  readonly #seed: number;
  readonly #queue = new EventQueue();
  readonly #ids: readonly string[];
  readonly #create: (rt: Runtime<unknown>) => SimNode<Req, Rep>;
  readonly #disks = new Map<string, SimDisk>();
  readonly #live = new Map<string, Incarnation<Req, Rep>>();
  readonly #incarnations = new Map<string, number>();
  readonly #clock = new Map<string, number>();
  readonly #fsyncMs: readonly [number, number];
  readonly #fsyncRng: Rng;
  readonly #syncMode: SyncMode;
  readonly #observe: ((node: string, status: NodeStatus) => void) | undefined;
  #asyncRan = false;

  constructor(opts: SimulatorOptions<Req, Rep>) {
    this.#seed = opts.seed;
    this.#ids = opts.nodes;
    this.#create = opts.create;
    const latency = opts.latency ?? latencySampler('datacenter');
    this.network = new SimNetwork(opts.seed, latency, opts.clientLatency ?? latency);
    const caller = rngFor(opts.seed, 'sim caller');
    this.random = () => caller.next();
    this.#fsyncMs = opts.fsyncMs ?? [0.1, 2];
    this.#fsyncRng = rngFor(opts.seed, 'sim fsync');
    this.#syncMode = opts.syncMode ?? 'fsync';
    this.#observe = opts.observe;
    for (const id of this.#ids) {
      this.#disks.set(id, new SimDisk());
      this.#boot(id);
    }
  }

  get nodeIds(): readonly string[] {
    return this.#ids;
  }

  // ---- the clock and the queue ----

  /** Schedules `run` after `delayMs`; `async` marks actions that start promise chains. */
  schedule(delayMs: number, run: () => void, async = false): SimEvent {
    return this.#queue.push(this.time + Math.max(0, delayMs), run, async, null);
  }

  /** Schedules a node's own `run`: dropped if the incarnation crashes, held while it is paused. */
  #scheduleFor(owner: EventOwner, delayMs: number, run: () => void): SimEvent {
    return this.#queue.push(this.time + Math.max(0, delayMs), run, false, owner);
  }

  /** When the next event is due (Infinity when none is). */
  nextEventAt(): number {
    return this.#queue.nextAt();
  }

  /** Runs the earliest event; false when there was none. */
  step(): boolean {
    const ev = this.#queue.pop();
    if (!ev) return false;
    this.time = ev.at;
    const owner = ev.owner;
    if (ev.run && owner !== null && (!owner.alive || owner.paused)) {
      if (owner.alive) owner.held.push(ev.run);
    } else if (ev.run) {
      this.events++;
      ev.run();
      owner?.ran();
      if (ev.async) this.#asyncRan = true;
      this.onEvent?.();
    }
    return true;
  }

  /**
   * Whether an event marked async ran since the last call: its promise chains must settle
   * (a macrotask turn) before the simulation goes on, so that they act at this simulated time.
   */
  takeAsyncRan(): boolean {
    const ran = this.#asyncRan;
    this.#asyncRan = false;
    return ran;
  }

  /** Runs events until the clock passes `until` (ms) or nothing is left. */
  runUntil(until: number): void {
    while (this.#queue.nextAt() <= until) this.step();
    this.time = Math.max(this.time, until);
  }

  runFor(ms: number): void {
    this.runUntil(this.time + ms);
  }

  // ---- nodes ----

  /** The running node (paused or not), or undefined while it is down. */
  node(id: string): SimNode<Req, Rep> | undefined {
    return this.#live.get(id)?.node;
  }

  isUp(id: string): boolean {
    return this.#live.has(id);
  }

  isPaused(id: string): boolean {
    return this.#live.get(id)?.paused ?? false;
  }

  /** SIGKILL: unflushed writes are lost, waiting clients see their connection reset. */
  crash(id: string): void {
    const inc = this.#live.get(id);
    if (!inc) return;
    inc.alive = false;
    this.#live.delete(id);
    for (const w of inc.waiting) this.#answer(id, w, { kind: 'reset' });
    inc.waiting.clear();
  }

  /** SIGKILL and a power cut: the node crashes and its disk loses every write not fsynced (returns how many). */
  powerLoss(id: string): number {
    this.crash(id);
    return this.#disks.get(id)!.losePower();
  }

  /** Starts a crashed node again from what its disk holds; a running node is left alone. */
  restart(id: string): void {
    if (!this.#live.has(id)) this.#boot(id);
  }

  /** SIGSTOP: the node runs nothing until `resume`. */
  pause(id: string): void {
    const inc = this.#live.get(id);
    if (inc) inc.paused = true;
  }

  /** SIGCONT: everything that came due while paused runs now, in order. */
  resume(id: string): void {
    const inc = this.#live.get(id);
    if (!inc || !inc.paused) return;
    inc.paused = false;
    const held = inc.held;
    inc.held = [];
    for (const fn of held) this.#scheduleFor(inc, 0, fn);
  }

  /** Skews a node's wall clock by `ms` (its monotonic clock is unaffected). */
  setClockOffset(id: string, ms: number): void {
    this.#clock.set(id, ms);
  }

  clockOffset(id: string): number {
    return this.#clock.get(id) ?? 0;
  }

  /** Nodes in different groups cannot exchange messages; nodes in no group keep every link. */
  partition(groups: readonly (readonly string[])[]): void {
    const grudge: Record<string, string[]> = {};
    for (const [i, g] of groups.entries()) {
      const others = groups.filter((_, j) => j !== i).flat();
      for (const n of g) grudge[n] = others;
    }
    this.network.partition(grudge);
  }

  heal(): void {
    this.network.healPartition();
  }

  // ---- clients ----

  /**
   * A client request over the client link: it reaches the node after a latency, the reply
   * comes back after another. `onReply` is called exactly once, unless the node never answers
   * (it is paused for good, or drops the request): the caller's own timeout covers that.
   */
  request(id: string, req: Req, onReply: (r: ClientReply<Rep>) => void): void {
    this.#call(id, onReply, (node, done) => node.submit(jsonCopyOf(req), done));
  }

  /** An operator command over the client link, as `request`; only for node logic that has `admin`. */
  admin(id: string, command: string, body: unknown, onReply: (r: ClientReply<Rep>) => void): void {
    this.#call(id, onReply, (node, done) => {
      if (!node.admin) throw new Error(`node ${id} has no operator commands (its logic has no admin), so it cannot take ${command}`);
      node.admin(command, jsonCopy(body), done);
    });
  }

  /** Carries a call to a node and its reply back: refused when the node is down, held while it is paused, reset if it crashes first. */
  #call(id: string, onReply: (r: ClientReply<Rep>) => void, deliver: (node: SimNode<Req, Rep>, done: (reply: Rep) => void) => void): void {
    const w: Waiting<Rep> = { answered: false, onReply };
    const inc = this.#live.get(id);
    if (!inc) {
      this.#answer(id, w, { kind: 'refused' });
      return;
    }
    this.schedule(this.network.clientLatency(id), () => {
      if (!inc.alive) return; // it crashed meanwhile: `crash` answered reset
      if (inc.paused) inc.held.push(() => this.#deliver(inc, w, deliver));
      else this.#deliver(inc, w, deliver);
    });
    inc.waiting.add(w);
  }

  /** Hands a call to the node. Requests and replies travel as JSON, as over HTTP: neither side keeps the other's objects. */
  #deliver(inc: Incarnation<Req, Rep>, w: Waiting<Rep>, deliver: (node: SimNode<Req, Rep>, done: (reply: Rep) => void) => void): void {
    deliver(inc.node, (reply) => {
      if (!inc.alive || !inc.waiting.delete(w)) return;
      this.#answer(inc.id, w, { kind: 'reply', reply: jsonCopyOf(reply) });
    });
  }

  #answer(id: string, w: Waiting<Rep>, r: ClientReply<Rep>): void {
    if (w.answered) return;
    w.answered = true;
    this.schedule(this.network.clientLatency(id), () => w.onReply(r));
  }

  /** Hands a request straight to the node (no network); the reply is filled in when it comes. */
  submit(id: string, req: Req): SubmittedRequest<Req, Rep> {
    const r: SubmittedRequest<Req, Rep> = { node: id, req, start: this.time };
    this.requests.push(r);
    const inc = this.#live.get(id);
    if (!inc) return r;
    inc.node.submit(req, (reply) => {
      if (!inc.alive || r.reply !== undefined) return;
      r.end = this.time;
      r.reply = reply;
    });
    return r;
  }

  // ---- incarnations ----

  /** Runs a node's callback now, or holds it while the node is paused; drops it after a crash. */
  #asNode(inc: Incarnation<Req, Rep>, fn: () => void): void {
    if (!inc.alive) return;
    if (inc.paused) inc.held.push(fn);
    else {
      fn();
      inc.ran();
    }
  }

  #boot(id: string): void {
    const n = (this.#incarnations.get(id) ?? 0) + 1;
    this.#incarnations.set(id, n);
    const inc = new Incarnation<Req, Rep>(id, this.#observe);
    const storage = new SimStorage(
      this.#disks.get(id)!,
      {
        now: () => this.time,
        later: (ms, fn) => void this.schedule(ms, fn),
        asNode: (fn) => this.#asNode(inc, fn),
        fsyncMs: () => this.#fsyncMs[0] + (this.#fsyncMs[1] - this.#fsyncMs[0]) * this.#fsyncRng.next(),
        alive: () => inc.alive,
      },
      this.#syncMode,
    );
    const random = rngFor(this.#seed, `node ${id}`, n);
    const peers = this.#ids.filter((p) => p !== id);
    const rt: Runtime<unknown> = {
      self: id,
      peers,
      send: (to, msg) => this.#send(id, to, msg),
      setTimer: (ms, fn) => this.#scheduleFor(inc, ms, fn),
      clearTimer: (t: TimerHandle) => {
        (t as SimEvent).run = null;
      },
      defer: (fn) => void this.#scheduleFor(inc, 0, fn),
      now: () => SIM_EPOCH_MS + this.time + this.clockOffset(id),
      monotonic: () => this.time,
      random: () => random.next(),
      storage,
      log: (line) => void this.logs.push([this.time, id, line]),
    };
    inc.node = this.#create(rt);
    this.#live.set(id, inc);
    inc.node.start();
    inc.ran();
  }

  #send(from: string, to: string, msg: unknown): void {
    if (to === from || !this.#ids.includes(to)) return;
    // The receiver gets its own copy, as the real transport's JSON gives it.
    const link = this.network.link(from, to);
    const delays = this.network.transit(link, msg, this.time);
    for (const delay of delays) {
      const copy = jsonCopy(msg);
      this.schedule(delay, () => {
        // A partition that began while the message travelled cuts it too.
        if (link.blocked) return;
        const inc = this.#live.get(to);
        if (inc === undefined) return;
        if (inc.paused) inc.held.push(() => inc.node.receive(from, copy));
        else {
          inc.node.receive(from, copy);
          inc.ran();
        }
      });
    }
  }
}
