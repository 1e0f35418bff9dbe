/**
 * `--db consul`: what the DB is, which workloads it serves, and its options (`--opt
 * consul.<name>=<value>`; each bad value is one line naming the option). The adapter is imported
 * when a run builds it.
 */
import { UsageError } from '../../core/errors.ts';
import { opt, type OptionValues } from '../../options/schema.ts';
import { defineDb } from '../../plugins/define.ts';
import type { ConsulDbOptions } from './db.ts';
import { READ_MODES } from './kv.ts';
import { KV_WORKLOADS } from '../kv-clients.ts';

export const CONSUL_OPTIONS = {
  'read-mode': opt.enum(READ_MODES, { doc: 'how reads are answered: default (the leader without a quorum check), consistent, stale', default: 'default' }),
  binary: opt.string({ doc: 'path or URL of the consul binary or an official release zip (default: $FAULTLINE_CONSUL, then consul on PATH)', shape: 'a path or URL' }),
  'install-dir': opt.string({ doc: `where nodes that do not share the controller's filesystem keep the binary (default /var/tmp/faultline/consul)`, pattern: /\/.*/, shape: 'an absolute path' }),
  'http-port': opt.integer({ doc: 'HTTP API port (default 8500; not 8300-8302, the server and gossip ports)', min: 1, max: 65535 }),
  'raft-multiplier': opt.integer({ doc: 'performance.raft_multiplier (1: fastest elections)', default: 1, min: 1, max: 10 }),
  'session-ttl': opt.integer({ doc: "seconds (10 to 86400): every write locks its key with one session kept alive by the harness; 0: no session", default: 0, min: 0, max: 86_400 }),
  'ready-timeout': opt.number({ doc: 'seconds setup waits for a leader, and for a download to make progress', default: 30, min: 0.1, aliases: ['ready-timeout'] }),
} as const;

/** The adapter's options from the parsed `consul.*` options; values Consul refuses are refused here. */
export function consulDbOptions(o: OptionValues<typeof CONSUL_OPTIONS>, opTimeoutMs: number): ConsulDbOptions {
  if (o['http-port'] !== undefined && [8300, 8301, 8302].includes(o['http-port'])) {
    throw new UsageError(`--opt consul.http-port: ${o['http-port']} is one of Consul's server and gossip ports (8300-8302); choose another`);
  }
  if (o['session-ttl'] !== 0 && o['session-ttl'] < 10) throw new UsageError(`--opt consul.session-ttl: Consul's session TTLs run from 10 to 86400 s, got ${o['session-ttl']}`);
  return {
    opTimeoutMs,
    readMode: o['read-mode'],
    raftMultiplier: o['raft-multiplier'],
    sessionTtlS: o['session-ttl'],
    readyTimeoutMs: o['ready-timeout'] * 1000,
    ...(o.binary !== undefined ? { binary: o.binary } : {}),
    ...(o['install-dir'] !== undefined ? { installDir: o['install-dir'] } : {}),
    ...(o['http-port'] !== undefined ? { httpPort: o['http-port'] } : {}),
  };
}

export const consulDb = defineDb({
  name: 'consul',
  description: 'Consul server agents, one per node (binary from PATH, $FAULTLINE_CONSUL or consul.binary), KV through the HTTP API; consul.read-mode=stale makes reads non-linearizable',
  providers: ['local', 'ssh'],
  workloads: KV_WORKLOADS,
  expect: 'valid under partition, kill and pause with consul.read-mode=consistent; with consul.read-mode=stale the register is not linearizable under partitions',
  options: CONSUL_OPTIONS,
  async create({ options, test }) {
    const { ConsulDb } = await import('./db.ts');
    const db = new ConsulDb(consulDbOptions(options, test.opTimeoutMs));
    // The binary is found, fetched and checked before any node is touched.
    await db.prepare();
    return { db, client: (w) => db.client(w) };
  },
});
