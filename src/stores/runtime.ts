/**
 * The runtime a store node's logic is written against: messages to peers, timers, clocks,
 * randomness and durable storage. Node logic does no I/O of its own, so the same code runs as a
 * real process (real/runtime.ts: TCP, files, Date.now) and inside the deterministic simulator
 * (src/sim/simulator.ts: an event queue, a fake clock, a faulty network and disks that lose
 * unsynced writes). docs/simulation.md teaches the contract to authors of node logic.
 */
import type { OptionSchema, OptionValues } from '../options/schema.ts';
import type { StoreReply, StoreRequest, StoreStatus } from './protocol.ts';
import type { SyncMode } from './real/file-storage.ts';

/** Opaque: whatever the runtime's setTimer returned. */
export type TimerHandle = object;

export interface Runtime<M> {
  /** This node's id. */
  readonly self: string;
  /** The other nodes' ids. */
  readonly peers: readonly string[];
  /**
   * Best-effort delivery: a message may be lost, duplicated, delayed or overtaken by later ones.
   * The receiver gets a copy as JSON carries it (functions and undefined fields are gone).
   */
  send(to: string, msg: M): void;
  /** Runs `fn` after `ms` of monotonic time. */
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(timer: TimerHandle): void;
  /** Runs `fn` soon, after the events already due now: used to batch work. */
  defer(fn: () => void): void;
  /** Wall clock in ms since the epoch: subject to skew (libfaketime moves it). */
  now(): number;
  /** Monotonic clock in ms, for timeouts; never compared across nodes. */
  monotonic(): number;
  /** Uniform in [0, 1). */
  random(): number;
  readonly storage: DurableStorage;
  /** One diagnostic line (role changes, recovery). */
  log(line: string): void;
}

export interface LogRecord {
  term: number;
  command: unknown;
}

export interface DurableContents {
  state: Record<string, unknown> | undefined;
  /** Records at log indexes 1..n. */
  log: LogRecord[];
}

/**
 * A node's disk: an append-only log (indexes from 1) plus a small state record. Writes take
 * effect in the order issued; `flush(done)` calls `done` once everything issued before it is
 * durable (fsynced). A crash loses whatever was not flushed.
 */
export interface DurableStorage {
  /** What survived on disk when the node started. */
  load(): DurableContents;
  append(records: readonly LogRecord[]): void;
  /** Drops the records at index `from` and above. */
  truncate(from: number): void;
  saveState(state: Record<string, unknown>): void;
  flush(done: () => void): void;
}

/** What every store kind's node offers to the HTTP server and to the simulator. */
export interface StoreNode<M> {
  start(): void;
  receive(from: string, msg: M): void;
  /** Calls `done` exactly once with the reply. */
  submit(req: StoreRequest, done: (reply: StoreReply) => void): void;
  status(): StoreStatus;
  /**
   * Optional operator commands (`POST /admin/<command>`), e.g. the sharded store's `rebalance`;
   * calls `done` exactly once. A store without them answers `unknown-op`.
   */
  admin?(command: string, body: unknown, done: (reply: StoreReply) => void): void;
  /** Stops timers and answers every pending request; the node ignores everything afterwards. */
  stop(): void;
}

/**
 * A DB's nodes as node logic (`nodeLogic` of a DB definition): what lets `faultline sim` run them
 * in the simulator. `create` is called at every start and restart of a node, with the DB's
 * options and the bug flags of the run.
 *
 * @example
 * nodeLogic: {
 *   create: (rt, { bugs }) => new MyNode(rt, { skipFsync: bugs.has('no-fsync') }),
 *   modules: [import.meta.url],
 * }
 */
export interface NodeLogic<S extends OptionSchema = OptionSchema> {
  create(rt: Runtime<unknown>, b: { readonly options: OptionValues<S>; readonly bugs: ReadonlySet<string> }): StoreNode<unknown>;
  /** How the node's disk syncs under these bugs: `lazy` buffers writes for seconds, `unsynced` never fsyncs (default `fsync`). */
  syncMode?(bugs: ReadonlySet<string>): SyncMode;
  /**
   * Properties of the nodes' states that must hold at every moment (fresh ones for every run):
   * the simulator shows each node's status to them after every event the node handled, and a
   * violation fails the run like a checker's finding (checker `node-invariants`).
   */
  invariants?(): NodeInvariant[];
  /**
   * The operator commands its nodes' `admin` answers, which let the simulator drive the nemeses
   * that act through them: `members` (the membership nemesis; body `{"add": node}` or
   * `{"remove": node}` at the leader, reply the members after the change, and `members` in the
   * status) and `rebalance` (the rebalance nemesis; body `{"split": boolean}`, reply what moved).
   */
  readonly adminCommands?: readonly AdminCommand[];
  /**
   * Modules (file URLs or paths) of the node code. Their sources, and the sources they import by
   * relative path, are hashed into every simulated run, so a replay can say when the code changed.
   */
  readonly modules: readonly string[];
}

/** An operator command a simulated DB's nodes can take (NodeLogic.adminCommands). */
export type AdminCommand = 'members' | 'rebalance';

/** A property of the nodes' states that the simulator checks after every event (see NodeLogic). */
export interface NodeInvariant {
  /** Its name, which is also the anomaly type of a violation: "one-leader-per-term". */
  readonly name: string;
  /** Sees a node's status (at least its role and term) after an event it handled; returns what is wrong, if anything. */
  observe(node: string, status: { readonly role: string; readonly term: number; readonly [detail: string]: unknown }): string | undefined;
}
