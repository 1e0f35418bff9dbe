/**
 * The `consul` registry entry: what the DB is, which workloads it serves, and how its `--opt`
 * options map onto the adapter (each bad value is one line naming the option).
 *   consul.read-mode=default|consistent|stale   how reads are answered (see kv.ts)
 *   consul.binary=<path|url>     the binary or a release zip (default $FAULTLINE_CONSUL, then PATH)
 *   consul.install-dir=<dir>     where nodes without the controller's filesystem keep it
 *   consul.http-port=<p>         the agents' HTTP API port (default 8500)
 *   consul.raft-multiplier=<n>   performance.raft_multiplier (default 1)
 *   consul.session-ttl=<s>       lock every written key with one harness-kept session of this TTL
 *   ready-timeout=<s>            how long setup waits for a leader (default 30)
 */
import type { DbEntry, DbInstance } from '../index.ts';
import type { TestOptions } from '../../core/test.ts';
import { UsageError } from '../../core/errors.ts';
import { ConsulDb, type ConsulDbOptions } from './db.ts';
import { READ_MODES, type ReadMode } from './kv.ts';
import { DEFAULT_INSTALL_DIR } from './install.ts';
import { KV_WORKLOADS } from '../kv-clients.ts';

export { ConsulDb, type ConsulDbOptions } from './db.ts';
export { consulClients, type ConsulClientOptions } from './clients.ts';

export const CONSUL_OPTIONS: Readonly<Record<string, string>> = {
  'consul.read-mode': 'default | consistent | stale: how reads are answered (default: default, the leader without a quorum check)',
  'consul.binary': 'path or URL of the consul binary or an official release zip (default: $FAULTLINE_CONSUL, then consul on PATH)',
  'consul.install-dir': `where nodes that do not share the controller's filesystem keep the binary (default ${DEFAULT_INSTALL_DIR})`,
  'consul.http-port': 'HTTP API port (default 8500)',
  'consul.raft-multiplier': 'performance.raft_multiplier, 1 to 10 (default 1: fastest elections)',
  'consul.session-ttl': 'seconds (10 or more): every write locks its key with one session kept alive by the harness; its keys go if it lapses; default 0 (no session)',
  'ready-timeout': 'seconds setup waits for a leader, and for a download to make progress (default 30)',
};

function num(opts: Readonly<Record<string, string>>, key: string, check: (n: number) => boolean, what: string): number | undefined {
  const v = opts[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !check(n)) throw new UsageError(`--opt ${key} must be ${what}, got ${JSON.stringify(v)}`);
  return n;
}

/** Adapter options from the test's `--opt`s. */
export function consulOptions(o: Pick<TestOptions, 'options' | 'opTimeoutMs'>): ConsulDbOptions {
  const opts = o.options;
  const mode = opts['consul.read-mode'] ?? 'default';
  if (!(READ_MODES as readonly string[]).includes(mode)) throw new UsageError(`--opt consul.read-mode must be one of ${READ_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  const out: ConsulDbOptions = { opTimeoutMs: o.opTimeoutMs, readMode: mode as ReadMode };
  const set = <K extends keyof ConsulDbOptions>(k: K, v: ConsulDbOptions[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('binary', opts['consul.binary']);
  set('installDir', opts['consul.install-dir']);
  if (out.installDir !== undefined && !out.installDir.startsWith('/')) throw new UsageError(`--opt consul.install-dir must be an absolute path, got ${JSON.stringify(out.installDir)}`);
  set('httpPort', num(opts, 'consul.http-port', (n) => Number.isInteger(n) && n >= 1 && n <= 65535 && ![8300, 8301, 8302].includes(n), 'a port number other than 8300-8302 (the server and gossip ports)'));
  set('sessionTtlS', num(opts, 'consul.session-ttl', (n) => n === 0 || (Number.isInteger(n) && n >= 10 && n <= 86_400), '0 or a whole number of seconds from 10 to 86400 (Consul\'s session TTL range)'));
  set('raftMultiplier', num(opts, 'consul.raft-multiplier', (n) => Number.isInteger(n) && n >= 1 && n <= 10, 'an integer from 1 to 10'));
  const ready = num(opts, 'ready-timeout', (n) => n > 0 && Number.isFinite(n), 'a positive number of seconds');
  set('readyTimeoutMs', ready === undefined ? undefined : ready * 1000);
  return out;
}

export const CONSUL_DB_ENTRY: DbEntry = {
  description: 'Consul server agents, one per node (binary from PATH, $FAULTLINE_CONSUL or --opt consul.binary), KV through the HTTP API; --opt consul.read-mode=stale makes reads non-linearizable',
  providers: ['local', 'ssh'],
  workloads: [...KV_WORKLOADS],
  bugs: {},
  expect: 'valid under partition, kill and pause with consul.read-mode=consistent; with consul.read-mode=stale the register is not linearizable under partitions',
  options: CONSUL_OPTIONS,
  make(o: TestOptions): DbInstance {
    const db = new ConsulDb(consulOptions(o));
    return { db, client: (w) => db.client(w), prepare: () => db.prepare() };
  },
};
