/**
 * The store kinds a node program can run, by name: each says which bug flags it knows, how its
 * disk syncs, and how to build its node logic on a runtime.
 */
import { UsageError } from '../core/errors.ts';
import { LeaderFollowerNode, LF_MODES, type LfMode } from './leader-follower/node.ts';
import { LwwNode } from './lww/node.ts';
import { MvccNode, MVCC_MODES, type MvccMode } from './mvcc/node.ts';
import { QuorumNode } from './quorum/node.ts';
import { RAFT_BUGS, RaftNode, type RaftBug } from './raft/node.ts';
import type { SyncMode } from './real/file-storage.ts';
import { SHARDED_BUGS, ShardedNode, type ShardedBug } from './sharded/node.ts';
import type { AdminCommand, Runtime, StoreNode } from './runtime.ts';

export interface NodeSettings {
  bugs: ReadonlySet<string>;
  /** One of the store kind's modes (the first when not given). */
  mode?: string;
  heartbeatMs?: number;
  electionMs?: number;
  requestTimeoutMs?: number;
  /** Quorum store: replicas per key, read quorum, write quorum. */
  n?: number;
  r?: number;
  w?: number;
}

export interface StoreKind {
  readonly bugs: readonly string[];
  /** Variants chosen with --mode; the first is the default. Empty when the store has none. */
  readonly modes: readonly string[];
  syncMode(bugs: ReadonlySet<string>): SyncMode;
  /** The operator commands its nodes take (see NodeLogic.adminCommands). */
  readonly adminCommands?: readonly AdminCommand[];
  create(rt: Runtime<unknown>, settings: NodeSettings): StoreNode<unknown>;
}

const raft: StoreKind = {
  bugs: RAFT_BUGS,
  modes: [],
  adminCommands: ['members'],
  syncMode: bugs => (bugs.has('no-fsync') ? 'lazy' : bugs.has('lazy-fsync') ? 'unsynced' : 'fsync'),
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

/** Defaults: N = min(3, cluster size), R = W = a majority of N (so R + W > N). */
const quorum: StoreKind = {
  bugs: [],
  modes: [],
  syncMode: () => 'fsync',
  create: (rt, s) => {
    const size = rt.peers.length + 1;
    const n = s.n ?? Math.min(3, size);
    const majority = Math.floor(n / 2) + 1;
    const r = s.r ?? majority;
    const w = s.w ?? majority;
    if (n > size) throw new UsageError(`--n ${n}: the cluster has only ${size} nodes`);
    if (r > n || w > n) throw new UsageError(`--r ${r} / --w ${w}: quorums cannot exceed --n ${n}`);
    return new QuorumNode(rt, { n, r, w, requestTimeoutMs: s.requestTimeoutMs ?? 3000 }) as StoreNode<unknown>;
  },
};

const lww: StoreKind = {
  bugs: [],
  modes: [],
  syncMode: () => 'fsync',
  // --heartbeat-ms sets the anti-entropy interval.
  create: (rt, s) => new LwwNode(rt, { gossipMs: s.heartbeatMs ?? 200 }) as StoreNode<unknown>,
};

const mvcc: StoreKind = {
  bugs: [],
  modes: MVCC_MODES,
  syncMode: () => 'fsync',
  create: (rt, s) => new MvccNode(rt, { mode: (s.mode ?? 'snapshot') as MvccMode }) as StoreNode<unknown>,
};

/** Raft groups over the same nodes; --heartbeat-ms, --election-ms as raft's, per group. */
const sharded: StoreKind = {
  bugs: SHARDED_BUGS,
  modes: [],
  adminCommands: ['rebalance'],
  syncMode: () => 'fsync',
  create: (rt, s) => {
    const opts = {
      bugs: s.bugs as ReadonlySet<ShardedBug>,
      ...(s.heartbeatMs !== undefined && { heartbeatMs: s.heartbeatMs }),
      ...(s.electionMs !== undefined && { electionMs: s.electionMs }),
      ...(s.requestTimeoutMs !== undefined && { requestTimeoutMs: s.requestTimeoutMs }),
    };
    return new ShardedNode(rt, opts) as StoreNode<unknown>;
  },
};

export const STORES: Readonly<Record<string, StoreKind>> = { raft, 'leader-follower': leaderFollower, quorum, lww, mvcc, sharded };
