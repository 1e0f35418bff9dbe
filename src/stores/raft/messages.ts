/** Raft's node-to-node messages and log entries (the sender's id travels beside each message). */
import type { StoreRequest } from '../protocol.ts';

/**
 * A log command: the no-op a new leader appends, a client request, an op of a state machine
 * other than the key-value one (`app`: see RaftNode's `machine`, e.g. a shard group's), or a new
 * configuration (`config`: the voting members from this entry on, in effect once in a log).
 */
export type Command =
  | { kind: 'noop' }
  | { kind: 'req'; req: StoreRequest }
  | { kind: 'app'; op: unknown }
  | { kind: 'config'; members: string[] };

export interface Entry {
  term: number;
  command: Command;
}

export interface VoteRequest {
  type: 'vote';
  term: number;
  lastLogIndex: number;
  lastLogTerm: number;
}

export interface VoteReply {
  type: 'vote-reply';
  term: number;
  granted: boolean;
}

export interface AppendRequest {
  type: 'append';
  term: number;
  prevIndex: number;
  prevTerm: number;
  entries: Entry[];
  commit: number;
  /** The leader's heartbeat round; echoed so the leader knows a majority still follows it. */
  seq: number;
  /** Names this append among the leader's (echoed): only the reply to the one outstanding moves flow control on. */
  ref: number;
}

export interface AppendReply {
  type: 'append-reply';
  term: number;
  success: boolean;
  /** On success: the follower's log matches the leader's up to here. */
  matchIndex: number;
  /** On failure: where the leader should try next. */
  hint: number;
  seq: number;
  ref: number;
}

export type RaftMessage = VoteRequest | VoteReply | AppendRequest | AppendReply;
