/**
 * Registry entries of the bundled reference stores (`--db reference:<store>`): what each store is,
 * its bug flags and options, and what the checkers should find with each. Store options come from
 * `--opt <prefix>.<name>=<value>` (e.g. `--opt quorum.r=1`, `--opt lf.mode=sync`) and become node
 * program flags.
 */
import type { DbEntry, DbInstance } from '../index.ts';
import type { TestOptions } from '../../core/test.ts';
import { UsageError } from '../../core/errors.ts';
import { ReferenceDb } from './db.ts';

/** A store option: the node program flag it sets and the values it accepts. */
interface StoreOption {
  flag: string;
  /** Allowed values; undefined for a positive integer. */
  values?: readonly string[];
}

/** The `--opt` keys a store takes, under its prefix. */
interface StoreOptions {
  prefix: string;
  options: Readonly<Record<string, StoreOption>>;
}

/** The node program flags for the store's `--opt` keys; any other key under its prefix is an error. */
export function storeArgs(spec: StoreOptions | undefined, options: Readonly<Record<string, string>>): string[] {
  const args: string[] = [];
  if (!spec) return args;
  for (const [key, value] of Object.entries(options)) {
    if (!key.startsWith(`${spec.prefix}.`)) continue;
    const name = key.slice(spec.prefix.length + 1);
    const opt = spec.options[name];
    if (!opt) {
      const known = Object.keys(spec.options).map((o) => `${spec.prefix}.${o}`).join(', ');
      throw new UsageError(`--opt ${key}: unknown option (known: ${known})`);
    }
    const ok = opt.values ? opt.values.includes(value) : /^[1-9]\d*$/.test(value);
    if (!ok) {
      throw new UsageError(`--opt ${key}: expected ${opt.values ? opt.values.join(' | ') : 'a positive integer'}, got ${JSON.stringify(value)}`);
    }
    args.push(opt.flag, value);
  }
  return args;
}

function reference(store: string, spec?: StoreOptions) {
  return (opts: TestOptions): DbInstance => {
    const extraArgs = storeArgs(spec, opts.options);
    const db = new ReferenceDb({ store, bugs: opts.bug, opTimeoutMs: opts.opTimeoutMs, extraArgs });
    return { db, client: (w) => db.client(w) };
  };
}

const RAFT_OPTIONS: StoreOptions = { prefix: 'raft', options: { 'election-ms': { flag: '--election-ms' }, 'heartbeat-ms': { flag: '--heartbeat-ms' } } };
const LF_OPTIONS: StoreOptions = { prefix: 'lf', options: { mode: { flag: '--mode', values: ['async', 'sync'] } } };
const QUORUM_OPTIONS: StoreOptions = {
  prefix: 'quorum',
  options: { n: { flag: '--n' }, r: { flag: '--r' }, w: { flag: '--w' } },
};
const LWW_OPTIONS: StoreOptions = { prefix: 'lww', options: { 'gossip-ms': { flag: '--heartbeat-ms' } } };
const MVCC_OPTIONS: StoreOptions = { prefix: 'mvcc', options: { mode: { flag: '--mode', values: ['snapshot', 'read-committed'] } } };

const NETWORKED = ['local', 'ssh', 'docker'] as const;

export const REFERENCE_DBS: Record<string, DbEntry> = {
  'reference:raft': {
    description:
      'the bundled Raft store: leader election, replicated log, fsync before ack, read index, CAS and transactions through the log; ' +
      '--opt raft.election-ms (minimum election timeout, default 400) / raft.heartbeat-ms (default 50)',
    providers: NETWORKED,
    workloads: ['register', 'list-append', 'rw-register'],
    bugs: {
      'stale-reads': 'followers serve reads from their own state: the register is not linearizable (nonlinearizable, stale-read)',
      'no-fsync': 'acknowledges before fsync: acknowledged writes vanish after kill -9 (needs --nemesis kill)',
      'lease-reads': 'the leader serves reads on a clock lease: stale reads under clock skew (needs --nemesis clock)',
      'volatile-votes': 'votes are not persisted: two leaders in one term after restarts (needs --nemesis kill)',
      'lazy-fsync':
        'never fsyncs, but writes every record to its files at once (nothing kept in the process): survives kill -9, ' +
        'loses acknowledged writes when a node loses power (needs a disk that drops un-fsynced writes: the fault filesystem, src/disk)',
    },
    expect: 'valid under every nemesis',
    make: reference('raft', RAFT_OPTIONS),
  },
  'reference:leader-follower': {
    description:
      'primary-backup: one primary, failover to whichever follower times out first, full resync of rejoining nodes; ' +
      '--opt lf.mode=async (default: ack once on the primary\'s disk) | sync (also on one follower\'s disk)',
    providers: NETWORKED,
    workloads: ['register', 'list-append', 'rw-register'],
    bugs: {},
    expect:
      'invalid under partition or kill: split brain and failover lose acknowledged writes (register: nonlinearizable; ' +
      'list-append: lost appends / G1 / G2); lf.mode=sync narrows the window but partitions still break it',
    make: reference('leader-follower', LF_OPTIONS),
  },
  'reference:quorum': {
    description:
      'leaderless Dynamo-style quorums: N replicas per key, reads wait for R, writes for W, versioned values, asynchronous read repair; ' +
      '--opt quorum.n / quorum.r / quorum.w (default N = 3, R = W = 2)',
    providers: NETWORKED,
    workloads: ['register'],
    bugs: {},
    expect:
      'invalid: with R + W <= N (e.g. quorum.r=1 quorum.w=1) stale reads (stale-read, nonlinearizable) even without faults; ' +
      'with R + W > N still nonlinearizable under concurrent writes (read repair after the reply, lagging version clocks, non-atomic CAS)',
    make: reference('quorum', QUORUM_OPTIONS),
  },
  'reference:lww': {
    description:
      'multi-leader, every node accepts writes, gossip replication, last-writer-wins on wall-clock timestamps (Date.now); ' +
      '--opt lww.gossip-ms (anti-entropy interval, default 200)',
    providers: NETWORKED,
    workloads: ['register'],
    bugs: {},
    expect:
      'invalid under partition: every side accepts writes and reads its own state (stale-read, nonlinearizable), converging after healing; ' +
      'under --nemesis clock writes from a node whose clock lags are lost outright (nonlinearizable)',
    make: reference('lww', LWW_OPTIONS),
  },
  'reference:mvcc': {
    description:
      'multi-version transactional store on one serving node (the lowest id), commits fsynced before they are visible; ' +
      '--opt mvcc.mode=snapshot (default: snapshot isolation, first committer wins) | read-committed',
    providers: NETWORKED,
    workloads: ['list-append', 'rw-register', 'register'],
    bugs: {},
    expect:
      'invalid for serializability but never G0 / G1: snapshot mode shows write skew (G2-item) only; ' +
      'read-committed mode also shows read skew (G-single)',
    make: reference('mvcc', MVCC_OPTIONS),
  },
};
