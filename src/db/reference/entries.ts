/**
 * The bundled reference stores (`--db reference:<store>`) as DB definitions: what each store is,
 * its bug flags and options, and what the checkers should find with each. Each node runs the
 * store's node program (src/stores/main) through the process DB, the same door a user's own node
 * program goes through; store options (`--opt raft.election-ms=300`) become program flags. The
 * same node logic runs in `faultline sim` (`nodeLogic`), with the options as node settings. The
 * adapters and the node logic are imported when a run or a simulation uses them.
 */
import type { DbDefinition } from '../../core/parts.ts';
import { codeModule, nodeArgvFor } from '../../code-paths.ts';
import { opt, type OptionSchema } from '../../options/schema.ts';
import { defineDb } from '../../plugins/define.ts';
import { oneLeaderPerTerm } from '../../stores/invariants.ts';
import type { NodeSettings } from '../../stores/registry.ts';
import type { NodeInvariant } from '../../stores/runtime.ts';

export const STORE_PORT = 8080;
const READY_TIMEOUT_MS = 20_000;
const WORKLOADS = ['register', 'list-append', 'rw-register'] as const;

/** The node program's argv for a store: `node [--import tsx] main --store S --id {node} ...`. */
export function storeArgv(store: string, bugs: readonly string[], flags: readonly string[]): string[] {
  const argv = [...nodeArgvFor('src/stores/main'), '--store', store, '--id', '{node}', '--listen', '{listen}', '--peers', '{peers}', '--data-dir', '{data-dir}'];
  for (const b of bugs) argv.push('--bug', b);
  return [...argv, ...flags];
}

interface StoreSpec<S extends OptionSchema> {
  /** What the simulator checks on the nodes' states after every event. */
  invariants?: () => NodeInvariant[];
  store: string;
  /** The prefix of its option keys when not the store's name. */
  prefix?: string;
  description: string;
  workloads: readonly string[];
  bugs?: Readonly<Record<string, string>>;
  expect: string;
  options: S;
  /** The node setting of each option (its program flag is the setting in kebab case: electionMs, --election-ms). */
  settings: Readonly<Record<keyof S & string, SettingName>>;
}

type SettingName = Exclude<keyof NodeSettings, 'bugs'>;

/** The node program flag of a setting: electionMs is --election-ms. */
const flagOf = (setting: SettingName): string => `--${setting.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The node settings of the options given. */
function nodeSettings(names: Readonly<Record<string, SettingName>>, options: Readonly<Record<string, unknown>>, bugs: ReadonlySet<string>): NodeSettings {
  const settings: NodeSettings = { bugs };
  for (const [name, setting] of Object.entries(names)) {
    const value = options[name];
    if (value === undefined) continue;
    if (setting === 'mode') settings.mode = String(value);
    else settings[setting] = Number(value);
  }
  return settings;
}

function referenceStore<const S extends OptionSchema>(spec: StoreSpec<S>): DbDefinition<S> {
  return defineDb<S>({
    name: `reference:${spec.store}`,
    ...(spec.prefix ? { optionPrefix: spec.prefix } : {}),
    description: spec.description,
    workloads: spec.workloads,
    ...(spec.bugs ? { bugs: spec.bugs } : {}),
    expect: spec.expect,
    options: spec.options,
    async create({ options, bugs, test }) {
      const flags: string[] = [];
      for (const [name, setting] of Object.entries(spec.settings) as [string, SettingName][]) {
        const value = (options as Record<string, unknown>)[name];
        if (value !== undefined) flags.push(flagOf(setting), String(value));
      }
      const Db =
        spec.store === 'sharded' ? (await import('./sharded.ts')).ShardedProcessDb : spec.store === 'raft' ? (await import('./raft.ts')).RaftProcessDb : (await import('../process/db.ts')).ProcessDb;
      const db = new Db({
        name: `reference:${spec.store}`,
        argv: storeArgv(spec.store, bugs, flags),
        port: STORE_PORT,
        honoursFakeClock: true,
        opTimeoutMs: test.opTimeoutMs,
        readyTimeoutMs: READY_TIMEOUT_MS,
        workloads: spec.workloads,
      });
      return { db, client: (w) => db.client(w) };
    },
    async nodeLogic() {
      const kind = (await import('../../stores/registry.ts')).STORES[spec.store]!;
      return {
        create: (rt, { options, bugs }) => kind.create(rt, nodeSettings(spec.settings, options, bugs)),
        syncMode: (bugs) => kind.syncMode(bugs),
        ...(kind.adminCommands ? { adminCommands: kind.adminCommands } : {}),
        ...(spec.invariants ? { invariants: spec.invariants } : {}),
        modules: [codeModule(`src/stores/${spec.store}/node`)],
      };
    },
  });
}

const positive = (doc: string) => opt.integer({ doc, min: 1 });

export const REFERENCE_DBS = [
  referenceStore({
    store: 'raft',
    description: 'the bundled Raft store: leader election, replicated log, fsync before ack, read index, CAS and transactions through the log',
    workloads: WORKLOADS,
    bugs: {
      'stale-reads': 'followers serve reads from their own state: the register is not linearizable (nonlinearizable, stale-read)',
      'no-fsync': 'acknowledges before fsync: acknowledged writes vanish after kill -9 (needs --nemesis kill)',
      'lease-reads': 'the leader serves reads on a clock lease: stale reads under clock skew (needs --nemesis clock)',
      'volatile-votes': 'votes are not persisted: two leaders in one term after restarts (needs --nemesis kill)',
      'lazy-fsync':
        'never fsyncs, but writes every record to its files at once (nothing kept in the process): survives kill -9, ' +
        'loses acknowledged writes when a node loses power (needs a disk that drops un-fsynced writes: the fault filesystem, src/disk)',
      'member-counted-early':
        'a node added back to the configuration counts towards commits before it has the log: acknowledged writes lost when the leader and its one follower fail (needs --nemesis membership with partition and kill)',
    },
    expect: 'valid under every nemesis',
    invariants: () => [oneLeaderPerTerm()],
    options: { 'election-ms': positive('minimum election timeout in ms (default 400)'), 'heartbeat-ms': positive('heartbeat interval in ms (default 50)') },
    settings: { 'election-ms': 'electionMs', 'heartbeat-ms': 'heartbeatMs' },
  }),
  referenceStore({
    store: 'sharded',
    description:
      'keys hashed into 64 slots, cut into shards served by 3 Raft groups; a placement group owns the versioned shard map; ' +
      'nodes route by a cached map and refresh it on wrong-shard; cross-shard transactions by two-phase commit; online shard moves and splits',
    workloads: ['list-append', 'rw-register', 'register'],
    bugs: {
      'stale-routing': 'a group keeps serving reads of a shard that moved away: stale reads (G-single, realtime cycles; needs --nemesis rebalance)',
      'no-2pc': 'each shard commits its part on its own: fractured reads across shards (G-single, G1c, G0, G2)',
      'prepare-not-durable':
        "a group's leader keeps prepares in memory: after a crash or failover the new leader has forgotten the locks (G-single, G0; needs --nemesis kill or partition)",
      'move-without-fence': 'the source of a shard move keeps accepting its keys until the map changes: lost updates (G-single-realtime, G0; needs --nemesis rebalance)',
    },
    expect: 'valid under every nemesis (strict serializable across shards)',
    options: { 'election-ms': positive('minimum election timeout of each group in ms (default 400)'), 'heartbeat-ms': positive('heartbeat interval of each group in ms (default 50)') },
    settings: { 'election-ms': 'electionMs', 'heartbeat-ms': 'heartbeatMs' },
  }),
  referenceStore({
    store: 'leader-follower',
    prefix: 'lf',
    description: 'primary-backup: one primary, failover to whichever follower times out first, full resync of rejoining nodes',
    workloads: WORKLOADS,
    expect:
      'invalid under partition or kill: split brain and failover lose acknowledged writes (register: nonlinearizable; ' +
      'list-append: lost appends / G1 / G2); lf.mode=sync narrows the window but partitions still break it',
    options: { mode: opt.enum(['async', 'sync'], { doc: "async: ack once on the primary's disk; sync: also on one follower's disk", default: 'async' }) },
    settings: { mode: 'mode' },
  }),
  referenceStore({
    store: 'quorum',
    description: 'leaderless Dynamo-style quorums: N replicas per key, reads wait for R, writes for W, versioned values, asynchronous read repair',
    workloads: ['register'],
    expect:
      'invalid: with R + W <= N (e.g. quorum.r=1 quorum.w=1) stale reads (stale-read, nonlinearizable) even without faults; ' +
      'with R + W > N still nonlinearizable under concurrent writes (read repair after the reply, lagging version clocks, non-atomic CAS)',
    options: { n: positive('replicas per key (default 3)'), r: positive('replies a read waits for (default 2)'), w: positive('acknowledgements a write waits for (default 2)') },
    settings: { n: 'n', r: 'r', w: 'w' },
  }),
  referenceStore({
    store: 'lww',
    description: 'multi-leader, every node accepts writes, gossip replication, last-writer-wins on wall-clock timestamps (Date.now)',
    workloads: ['register'],
    expect:
      'invalid under partition: every side accepts writes and reads its own state (stale-read, nonlinearizable), converging after healing; ' +
      'under --nemesis clock writes from a node whose clock lags are lost outright (nonlinearizable)',
    options: { 'gossip-ms': positive('anti-entropy interval in ms (default 200)') },
    settings: { 'gossip-ms': 'heartbeatMs' },
  }),
  referenceStore({
    store: 'mvcc',
    description: 'multi-version transactional store on one serving node (the lowest id), commits fsynced before they are visible',
    workloads: ['list-append', 'rw-register', 'register'],
    expect:
      'invalid for serializability but never G0 / G1: snapshot mode shows write skew (G2-item) only; ' +
      'read-committed mode also shows read skew (G-single)',
    options: { mode: opt.enum(['snapshot', 'read-committed'], { doc: 'snapshot isolation (first committer wins) or read committed', default: 'snapshot' }) },
    settings: { mode: 'mode' },
  }),
];
