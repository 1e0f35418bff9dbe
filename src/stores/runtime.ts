/**
 * The runtime a store node's logic is written against: messages to peers, timers, clocks,
 * randomness and durable storage. Node logic does no I/O of its own, so the same code runs as a
 * real process (real/runtime.ts: TCP, files, Date.now) and inside the deterministic simulator
 * (sim.ts: a message queue, a fake clock and an in-memory disk that loses unsynced writes).
 */
import type { StoreReply, StoreRequest, StoreStatus } from './protocol.ts';

/** Opaque: whatever the runtime's setTimer returned. */
export type TimerHandle = object;

export interface Runtime<M> {
  /** This node's id. */
  readonly self: string;
  /** The other nodes' ids. */
  readonly peers: readonly string[];
  /** Best-effort delivery: a message may be lost, delayed or reordered across reconnects. */
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
