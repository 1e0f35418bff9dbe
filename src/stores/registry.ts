/**
 * The store kinds a node program can run, by name: each says which bug flags it knows, how its
 * disk syncs, and how to build its node logic on a runtime.
 */
import { LeaderFollowerNode, LF_MODES, type LfMode } from './leader-follower/node.ts';
import { RAFT_BUGS, RaftNode, type RaftBug } from './raft/node.ts';
import type { SyncMode } from './real/file-storage.ts';
import type { Runtime, StoreNode } from './runtime.ts';

export interface NodeSettings {
  bugs: ReadonlySet<string>;
  /** One of the store kind's modes (the first when not given). */
  mode?: string;
  heartbeatMs?: number;
  electionMs?: number;
  requestTimeoutMs?: number;
}

export interface StoreKind {
  readonly bugs: readonly string[];
  /** Variants chosen with --mode; the first is the default. Empty when the store has none. */
  readonly modes: readonly string[];
  syncMode(bugs: ReadonlySet<string>): SyncMode;
  create(rt: Runtime<unknown>, settings: NodeSettings): StoreNode<unknown>;
}

const raft: StoreKind = {
  bugs: RAFT_BUGS,
  modes: [],
  syncMode: bugs => (bugs.has('no-fsync') ? 'lazy' : 'fsync'),
  create: (rt, s) => {
    const opts = {
      bugs: s.bugs as ReadonlySet<RaftBug>,
      ...(s.heartbeatMs !== undefined && { heartbeatMs: s.heartbeatMs }),
      ...(s.electionMs !== undefined && { electionMs: s.electionMs }),
      ...(s.requestTimeoutMs !== undefined && { requestTimeoutMs: s.requestTimeoutMs }),
    };
    return new RaftNode(rt, opts) as StoreNode<unknown>;
  },
};

const leaderFollower: StoreKind = {
  bugs: [],
  modes: LF_MODES,
  syncMode: () => 'fsync',
  create: (rt, s) => {
    const opts = {
      mode: (s.mode ?? 'async') as LfMode,
      ...(s.heartbeatMs !== undefined && { heartbeatMs: s.heartbeatMs }),
      ...(s.electionMs !== undefined && { failoverMs: s.electionMs }),
      ...(s.requestTimeoutMs !== undefined && { requestTimeoutMs: s.requestTimeoutMs }),
    };
    return new LeaderFollowerNode(rt, opts) as StoreNode<unknown>;
  },
};

export const STORES: Readonly<Record<string, StoreKind>> = { raft, 'leader-follower': leaderFollower };
