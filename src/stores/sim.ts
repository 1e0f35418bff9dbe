/**
 * A deterministic in-process simulator for store nodes: one event queue, a fake clock, a seeded
 * random source, a network that delays, drops and partitions messages, and in-memory disks that
 * lose every write not yet flushed when a node crashes. A disk that writes without fsync
 * (`unsyncedWrites`, the real `unsynced` sync mode) keeps flushed writes in a page cache that a
 * crash leaves alone and a power loss drops, as the fault filesystem does. The same seed and the
 * same calls always give the same run, so a failing schedule can be replayed.
 */
import { makeRng } from '../generator/rng.ts';
import type { StoreReply, StoreRequest } from './protocol.ts';
import type { DurableContents, DurableStorage, LogRecord, Runtime, StoreNode, TimerHandle } from './runtime.ts';

/** A seeded uniform [0, 1) source for schedules (the project's one PRNG). */
export function seededRandom(seed: number): () => number {
  const rng = makeRng(seed);
  return () => rng.next();
}

export interface SimOptions {
  seed: number;
  nodes: readonly string[];
  /** One-way message delay, uniform in [min, max] ms. */
  latencyMs?: readonly [number, number];
  /** Probability that a message is lost. */
  dropRate?: number;
  /** Time a flush takes, uniform in [min, max] ms. */
  fsyncMs?: readonly [number, number];
  /**
   * Flushes reach only the page cache, at once, and are never fsynced (registry.ts: the store's
   * sync mode is `unsynced`): crash keeps them, powerLoss drops them. Default false.
   */
  unsyncedWrites?: boolean;
}

/** A client request made through the simulator, filled in when the node replies. */
export interface SimRequest {
  node: string;
  req: StoreRequest;
  start: number;
  end?: number;
  reply?: StoreReply;
}

interface Event {
  at: number;
  order: number;
  run: () => void;
}

type DiskOp = { kind: 'append'; records: LogRecord[] } | { kind: 'truncate'; from: number } | { kind: 'state'; state: Record<string, unknown> };

/** What a node's disk holds across crashes: durable contents, and writes only in the page cache. */
class Disk {
  state: Record<string, unknown> | undefined;
  log: LogRecord[] = [];
  /** Written but not fsynced: survives a crash of the process, not a power loss. */
  pageCache: DiskOp[] = [];

  applyOp(op: DiskOp): void {
    applyTo(this, op);
  }

  /** What a process starting now reads: the durable contents with the page cache on top. */
  view(): DurableContents {
    const v: DurableContents = { state: this.state ? { ...this.state } : undefined, log: this.log.map(r => clone(r)) };
    for (const op of this.pageCache) applyTo(v, op);
    return v;
  }
}

function applyTo(d: DurableContents, op: DiskOp): void {
  if (op.kind === 'append') d.log.push(...op.records);
  else if (op.kind === 'truncate') d.log.length = Math.min(d.log.length, op.from - 1);
  else d.state = op.state;
}

/** One incarnation's view of a disk: writes queue up until a flush makes them durable. */
class SimStorage implements DurableStorage {
  private readonly ops: DiskOp[] = [];
  private applied = 0;
  private lastFlushDone = 0;
  alive = true;
  private readonly disk: Disk;
  private readonly sim: Simulation<unknown>;

  constructor(disk: Disk, sim: Simulation<unknown>) {
    this.disk = disk;
    this.sim = sim;
  }

  load(): DurableContents {
    return this.disk.view();
  }

  append(records: readonly LogRecord[]): void {
    this.ops.push({ kind: 'append', records: records.map(r => clone(r)) });
  }

  truncate(from: number): void {
    this.ops.push({ kind: 'truncate', from });
  }

  saveState(state: Record<string, unknown>): void {
    this.ops.push({ kind: 'state', state: { ...state } });
  }

  flush(done: () => void): void {
    const upTo = this.ops.length;
    if (this.sim.unsyncedWrites) {
      this.sim.schedule(0, () => {
        if (!this.alive) return;
        while (this.applied < upTo) this.disk.pageCache.push(this.ops[this.applied++]!);
        done();
      });
      return;
    }
    const at = Math.max(this.sim.time + this.sim.fsyncDelay(), this.lastFlushDone);
    this.lastFlushDone = at;
    this.sim.schedule(at - this.sim.time, () => {
      if (!this.alive) return;
      while (this.applied < upTo) this.disk.applyOp(this.ops[this.applied++]!);
      done();
    });
  }
}

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

interface Incarnation<M> {
  node: StoreNode<M>;
  storage: SimStorage;
  alive: boolean;
}

export class Simulation<M> {
  time = 0;
  readonly random: () => number;
  readonly unsyncedWrites: boolean;
  /** Diagnostic lines from the nodes, prefixed with time and node. */
  readonly logs: string[] = [];
  readonly requests: SimRequest[] = [];
  /** Called after every event; tests check invariants here. */
  onEvent: (() => void) | undefined;

  private readonly queue: Event[] = [];
  private order = 0;
  private readonly ids: readonly string[];
  private readonly disks = new Map<string, Disk>();
  private readonly live = new Map<string, Incarnation<M>>();
  private readonly blocked = new Set<string>();
  private readonly clockOffset = new Map<string, number>();
  private readonly latency: readonly [number, number];
  private readonly dropRate: number;
  private readonly fsyncMs: readonly [number, number];
  private readonly make: (rt: Runtime<M>) => StoreNode<M>;

  constructor(opts: SimOptions, make: (rt: Runtime<M>) => StoreNode<M>) {
    this.random = seededRandom(opts.seed);
    this.ids = opts.nodes;
    this.latency = opts.latencyMs ?? [1, 10];
    this.dropRate = opts.dropRate ?? 0;
    this.fsyncMs = opts.fsyncMs ?? [0, 2];
    this.unsyncedWrites = opts.unsyncedWrites ?? false;
    this.make = make;
    for (const id of this.ids) {
      this.disks.set(id, new Disk());
      this.boot(id);
    }
  }

  get nodeIds(): readonly string[] {
    return this.ids;
  }

  /** The running node, or undefined while it is crashed. */
  node(id: string): StoreNode<M> | undefined {
    return this.live.get(id)?.node;
  }

  isAlive(id: string): boolean {
    return this.live.has(id);
  }

  fsyncDelay(): number {
    return this.uniform(this.fsyncMs);
  }

  schedule(delayMs: number, run: () => void): Event {
    const ev: Event = { at: this.time + Math.max(0, delayMs), order: this.order++, run };
    // Binary insertion keeps the queue sorted by (at, order).
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const q = this.queue[mid]!;
      if (q.at < ev.at || (q.at === ev.at && q.order < ev.order)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, ev);
    return ev;
  }

  /** Runs events until the clock passes `until` (ms) or nothing is left. */
  runUntil(until: number): void {
    while (this.queue.length > 0 && this.queue[0]!.at <= until) this.step();
    this.time = Math.max(this.time, until);
  }

  runFor(ms: number): void {
    this.runUntil(this.time + ms);
  }

  private step(): void {
    const ev = this.queue.shift()!;
    this.time = ev.at;
    ev.run();
    this.onEvent?.();
  }

  /** Kills a node at once: unflushed writes are lost, in-flight requests never get a reply. */
  crash(id: string): void {
    const inc = this.live.get(id);
    if (!inc) return;
    inc.alive = false;
    inc.storage.alive = false;
    this.live.delete(id);
  }

  /** Crashes a node and drops its page cache: only what was fsynced survives. */
  powerLoss(id: string): void {
    this.crash(id);
    this.disks.get(id)!.pageCache = [];
  }

  restart(id: string): void {
    if (!this.live.has(id)) this.boot(id);
  }

  /** Nodes in different groups cannot exchange messages (nodes in no group keep all links). */
  partition(groups: readonly (readonly string[])[]): void {
    this.blocked.clear();
    for (const [i, g] of groups.entries()) {
      for (const [j, h] of groups.entries()) {
        if (i === j) continue;
        for (const a of g) for (const b of h) this.blocked.add(`${a}>${b}`);
      }
    }
  }

  heal(): void {
    this.blocked.clear();
  }

  /** Skews a node's wall clock (monotonic time is unaffected). */
  setClockOffset(id: string, ms: number): void {
    this.clockOffset.set(id, ms);
  }

  submit(id: string, req: StoreRequest): SimRequest {
    const r: SimRequest = { node: id, req, start: this.time };
    this.requests.push(r);
    const inc = this.live.get(id);
    if (!inc) {
      r.end = this.time;
      r.reply = { ok: false, error: { code: 'unavailable', message: 'node down', definite: true } };
      return r;
    }
    inc.node.submit(req, reply => {
      if (!inc.alive || r.reply) return;
      r.end = this.time;
      r.reply = reply;
    });
    return r;
  }

  private boot(id: string): void {
    const storage = new SimStorage(this.disks.get(id)!, this as Simulation<unknown>);
    const peers = this.ids.filter(p => p !== id);
    const inc = { storage, alive: true } as Incarnation<M>;
    const rt: Runtime<M> = {
      self: id,
      peers,
      send: (to, msg) => this.deliver(id, to, msg),
      setTimer: (ms, fn) => this.schedule(ms, () => inc.alive && fn()),
      clearTimer: (t: TimerHandle) => {
        (t as Event).run = () => {};
      },
      defer: fn => void this.schedule(0, () => inc.alive && fn()),
      now: () => 1_700_000_000_000 + this.time + (this.clockOffset.get(id) ?? 0),
      monotonic: () => this.time,
      random: this.random,
      storage,
      log: line => void this.logs.push(`${this.time.toFixed(1)} ${id} ${line}`),
    };
    inc.node = this.make(rt);
    this.live.set(id, inc);
    inc.node.start();
  }

  private deliver(from: string, to: string, msg: M): void {
    if (this.blocked.has(`${from}>${to}`) || this.random() < this.dropRate) return;
    const copy = clone(msg);
    this.schedule(this.uniform(this.latency), () => {
      if (this.blocked.has(`${from}>${to}`)) return;
      this.live.get(to)?.node.receive(from, copy);
    });
  }

  private uniform([min, max]: readonly [number, number]): number {
    return min + (max - min) * this.random();
  }
}
