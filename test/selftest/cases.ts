/**
 * The self-test matrix: every bundled reference store, mode and bug flag, with the faults that
 * expose it and the verdict the design predicts. Raft must come out valid under combined faults;
 * every weakness must come out invalid with the anomaly kind that names it, and nothing the design
 * rules out (e.g. G0 / G1 under snapshot isolation) may appear.
 */

export interface Expectation {
  valid: boolean;
  /** For invalid runs: at least one of these anomaly types must be reported (exact, or prefix ending in `*`). */
  anyOf?: readonly string[];
  /** Anomaly types that must not be reported: exact names, or prefixes ending in `*`. */
  forbidden?: readonly string[];
}

export interface SelftestCase {
  /** Stable id, e.g. "raft/stale-reads". */
  id: string;
  db: string;
  workload: string;
  nemesis: readonly string[];
  bugs?: readonly string[];
  /** Seconds between faults, when the weakness needs them denser than the default 5. */
  nemesisIntervalS?: number;
  /** --opt pairs (store options, nemesis targets). */
  opts?: Readonly<Record<string, string>>;
  /** Further `faultline test` flags, e.g. a shorter --op-timeout. */
  args?: readonly string[];
  expect: Expectation;
  /** Part of the short self-test (CI). */
  short: boolean;
  why: string;
}

const REGISTER_BAD = ['nonlinearizable', 'stale-read'];
/** Anomalies no isolation level from read committed up may show (dirty writes and reads, broken lists). */
const DIRTY = ['G0*', 'G1a*', 'G1b*', 'dirty-update', 'duplicate-elements', 'incompatible-order', 'internal'];

export const CASES: readonly SelftestCase[] = [
  {
    id: 'raft/register',
    db: 'reference:raft',
    workload: 'register',
    nemesis: ['partition', 'kill'],
    expect: { valid: true },
    short: true,
    why: 'Raft is linearizable under partitions and crashes',
  },
  {
    id: 'raft/list-append',
    db: 'reference:raft',
    workload: 'list-append',
    nemesis: ['partition', 'kill', 'pause'],
    expect: { valid: true },
    short: false,
    why: 'Raft transactions go through the log: strict serializable under combined faults',
  },
  {
    id: 'raft/stale-reads',
    db: 'reference:raft',
    workload: 'register',
    nemesis: ['partition'],
    bugs: ['stale-reads'],
    expect: { valid: false, anyOf: REGISTER_BAD },
    short: true,
    why: 'followers answer reads from their own, lagging state',
  },
  {
    id: 'raft/no-fsync',
    db: 'reference:raft',
    workload: 'register',
    nemesis: ['kill'],
    bugs: ['no-fsync'],
    nemesisIntervalS: 3,
    opts: { 'nemesis.targets': 'all' },
    expect: { valid: false, anyOf: REGISTER_BAD },
    short: false,
    why: 'acknowledged writes still in the process buffer vanish when every node is killed',
  },
  {
    id: 'raft/lazy-fsync',
    db: 'reference:raft',
    workload: 'register',
    nemesis: ['power-loss'],
    bugs: ['lazy-fsync'],
    nemesisIntervalS: 3,
    opts: { 'nemesis.targets': 'all' },
    expect: { valid: false, anyOf: REGISTER_BAD },
    short: false,
    why: 'writes reach the files but are never fsynced: a whole-cluster power failure drops acknowledged writes (only a disk that loses un-fsynced writes shows it)',
  },
  {
    id: 'raft/power-loss',
    db: 'reference:raft',
    workload: 'register',
    nemesis: ['power-loss'],
    nemesisIntervalS: 3,
    expect: { valid: true },
    short: false,
    why: 'the correct store fsyncs before it acknowledges: power failures lose nothing acknowledged',
  },
  {
    id: 'raft/lease-reads',
    db: 'reference:raft',
    workload: 'register',
    nemesis: ['partition', 'clock'],
    bugs: ['lease-reads'],
    // The leader's clock jumps back by seconds (stretching the lease it holds), and partitions
    // cut the leader off: frequent faults give the two many chances to overlap. Short op
    // timeouts keep clients of the cut-off leader from idling on writes it cannot commit.
    nemesisIntervalS: 3,
    args: ['--op-timeout', '1000', '--concurrency', '20'],
    opts: {
      'nemesis.targets': 'primaries',
      'nemesis.partition-shapes': 'primaries',
      'nemesis.clock-direction': 'back',
      'nemesis.clock-min-delta-ms': '8000',
    },
    expect: { valid: false, anyOf: REGISTER_BAD },
    short: false,
    why: 'a deposed leader keeps serving reads on a wall-clock lease that skew stretches (clock faults aimed at the leader)',
  },
  {
    id: 'raft/volatile-votes',
    db: 'reference:raft',
    workload: 'register',
    nemesis: ['kill'],
    bugs: ['volatile-votes'],
    nemesisIntervalS: 1,
    opts: { 'nemesis.targets': 'majority' },
    expect: { valid: false, anyOf: REGISTER_BAD },
    short: false,
    why: 'a restarted node votes twice in a term: two leaders, one of them loses writes',
  },
  {
    id: 'leader-follower/async',
    db: 'reference:leader-follower',
    workload: 'register',
    nemesis: ['partition'],
    expect: { valid: false, anyOf: REGISTER_BAD },
    short: true,
    why: 'failover by timeout: split brain, and the new primary lacks acknowledged writes',
  },
  {
    id: 'leader-follower/sync',
    db: 'reference:leader-follower',
    workload: 'register',
    nemesis: ['partition'],
    opts: { 'lf.mode': 'sync' },
    expect: { valid: false, anyOf: REGISTER_BAD },
    short: false,
    why: 'semi-synchronous replication still splits its brain under partitions',
  },
  {
    id: 'quorum/r1-w1',
    db: 'reference:quorum',
    workload: 'register',
    nemesis: [],
    opts: { 'quorum.n': '3', 'quorum.r': '1', 'quorum.w': '1' },
    expect: { valid: false, anyOf: REGISTER_BAD },
    short: true,
    why: 'R + W <= N: a read quorum can miss the latest write',
  },
  {
    id: 'quorum/r2-w2',
    db: 'reference:quorum',
    workload: 'register',
    nemesis: [],
    opts: { 'quorum.n': '3', 'quorum.r': '2', 'quorum.w': '2' },
    expect: { valid: false, anyOf: ['nonlinearizable'] },
    short: false,
    why: 'R + W > N is still not linearizable under concurrent writes (repair after reply, non-atomic CAS)',
  },
  {
    id: 'lww/partition',
    db: 'reference:lww',
    workload: 'register',
    nemesis: ['partition'],
    expect: { valid: false, anyOf: REGISTER_BAD },
    short: true,
    why: 'every side of a partition keeps accepting writes and answering reads from its own state',
  },
  {
    id: 'lww/clock',
    db: 'reference:lww',
    workload: 'register',
    nemesis: ['clock'],
    expect: { valid: false, anyOf: REGISTER_BAD },
    short: false,
    why: 'a node whose clock lags stamps its writes below older ones: they are lost outright',
  },
  {
    id: 'mvcc/snapshot',
    db: 'reference:mvcc',
    workload: 'list-append',
    nemesis: [],
    expect: { valid: false, anyOf: ['G2*', 'G-nonadjacent*'], forbidden: [...DIRTY, 'G1c*', 'G-single*', 'lost-update'] },
    short: true,
    why: 'snapshot isolation allows write skew (G2) and nothing weaker',
  },
  {
    id: 'mvcc/snapshot-kill',
    db: 'reference:mvcc',
    workload: 'list-append',
    nemesis: ['kill'],
    expect: { valid: false, anyOf: ['G2*', 'G-nonadjacent*'], forbidden: [...DIRTY, 'G1c*', 'G-single*', 'lost-update'] },
    short: false,
    why: 'restarts from the data directory keep every acknowledged commit: still only write skew',
  },
  {
    id: 'mvcc/read-committed',
    db: 'reference:mvcc',
    workload: 'list-append',
    nemesis: [],
    opts: { 'mvcc.mode': 'read-committed' },
    expect: { valid: false, anyOf: ['G-single*', 'G1c*'], forbidden: DIRTY },
    short: true,
    why: 'read committed reads the latest commit at each read: read skew (G-single), but no dirty reads',
  },
  {
    id: 'sharded/list-append',
    db: 'reference:sharded',
    workload: 'list-append',
    nemesis: ['partition', 'kill', 'rebalance'],
    nemesisIntervalS: 3,
    expect: { valid: true },
    short: false,
    why: 'two-phase commit across Raft groups and fenced shard moves: strict serializable across shards',
  },
  {
    id: 'sharded/stale-routing',
    db: 'reference:sharded',
    workload: 'list-append',
    nemesis: ['rebalance'],
    nemesisIntervalS: 2,
    bugs: ['stale-routing'],
    expect: { valid: false, anyOf: ['G-single*', 'G0*', 'G1c*', 'incompatible-order'] },
    short: false,
    why: 'the group a shard left keeps answering reads of it from the copy left behind: stale reads',
  },
  {
    id: 'sharded/no-2pc',
    db: 'reference:sharded',
    workload: 'list-append',
    nemesis: ['partition'],
    nemesisIntervalS: 2,
    bugs: ['no-2pc'],
    expect: { valid: false, anyOf: ['G-single*', 'G1c*', 'G0*', 'G2*', 'G-nonadjacent*'] },
    short: false,
    why: 'each shard commits its part on its own: other transactions see some parts and not others',
  },
  {
    id: 'sharded/prepare-not-durable',
    db: 'reference:sharded',
    workload: 'list-append',
    nemesis: ['kill', 'partition'],
    nemesisIntervalS: 1,
    bugs: ['prepare-not-durable'],
    expect: { valid: false, anyOf: ['G-single*', 'G1c*', 'G0*', 'G2*', 'G-nonadjacent*', 'incompatible-order', 'lost-update'] },
    short: false,
    why: 'a new leader has never heard of the prepares its predecessor held in memory: their locks are gone',
  },
  {
    id: 'sharded/move-without-fence',
    db: 'reference:sharded',
    workload: 'list-append',
    nemesis: ['rebalance'],
    nemesisIntervalS: 2,
    bugs: ['move-without-fence'],
    expect: { valid: false, anyOf: ['G-single*', 'G1c*', 'G0*', 'G2*', 'G-nonadjacent*', 'incompatible-order', 'lost-update'] },
    short: false,
    why: 'both sides of a move accept writes to the shard for a while: the source\'s are lost',
  },
];
