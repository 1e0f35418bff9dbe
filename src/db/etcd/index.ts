/**
 * The `etcd` registry entry: what the DB is, which workloads it serves, and how its `--opt`
 * options map onto the adapter (each bad value is one line naming the option).
 *   serializable-reads=true   reads and read-only txns with serializable=true (may be stale)
 *   lease-ttl=<s>             attach every put to one harness-kept lease of this TTL
 *   snapshot-count=<n>        etcd --snapshot-count
 *   pre-vote=true             etcd --pre-vote
 *   etcd-binary=<path>        default /usr/bin/etcd (apt-get installs etcd-server when missing)
 *   etcd-version=<v>          require this version (prefix match: 3.4 matches 3.4.23)
 *   etcd-tarball=<url|path>   install this etcd release tarball on every node instead
 *   etcd-install-dir=<dir>    where release tarballs unpack on the nodes
 *   etcd-client-port=<p>, etcd-peer-port=<p>   default 2379 / 2380
 *   ready-timeout=<s>         how long setup waits for a leader (default 20)
 */
import type { DbEntry, DbInstance } from '../index.ts';
import type { TestOptions } from '../../core/test.ts';
import { UsageError } from '../../core/errors.ts';
import { EtcdDb, type EtcdDbOptions } from './db.ts';
import { KV_WORKLOADS } from '../kv-clients.ts';

export { EtcdDb, type EtcdDbOptions } from './db.ts';
export { etcdClients, type EtcdClientOptions } from './clients.ts';

export const ETCD_OPTIONS: Readonly<Record<string, string>> = {
  'serializable-reads': 'true: reads use serializable=true (answered locally, possibly stale); default false',
  'lease-ttl': 'seconds: attach every put to one lease kept alive by the harness; default 0 (no lease)',
  'snapshot-count': 'etcd --snapshot-count',
  'pre-vote': 'true: etcd --pre-vote',
  'etcd-binary': 'path of the etcd binary on the nodes (default /usr/bin/etcd, installed with apt-get when missing)',
  'etcd-version': 'required etcd version, e.g. 3.4',
  'etcd-tarball': 'URL or controller path of an etcd release tarball (etcd-vX.Y.Z-linux-<arch>.tar.gz) to install on every node instead of etcd-binary',
  'etcd-install-dir': 'where release tarballs unpack on the nodes, one directory per version (default /var/tmp/faultline/etcd)',
  'etcd-client-port': 'client port (default 2379)',
  'etcd-peer-port': 'peer port (default 2380)',
  'ready-timeout': 'seconds setup waits for a leader (default 20)',
};

function bool(opts: Readonly<Record<string, string>>, key: string): boolean | undefined {
  const v = opts[key];
  if (v === undefined) return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new UsageError(`--opt ${key} must be true or false, got ${JSON.stringify(v)}`);
}

function num(opts: Readonly<Record<string, string>>, key: string, check: (n: number) => boolean, what: string): number | undefined {
  const v = opts[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !check(n)) throw new UsageError(`--opt ${key} must be ${what}, got ${JSON.stringify(v)}`);
  return n;
}

const isPort = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 65535;

/** Adapter options from the test's `--opt`s. */
export function etcdOptions(o: Pick<TestOptions, 'options' | 'opTimeoutMs'>): EtcdDbOptions {
  const opts = o.options;
  const out: EtcdDbOptions = { opTimeoutMs: o.opTimeoutMs };
  const set = <K extends keyof EtcdDbOptions>(k: K, v: EtcdDbOptions[K] | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  set('serializableReads', bool(opts, 'serializable-reads'));
  set('preVote', bool(opts, 'pre-vote'));
  set('leaseTtlS', num(opts, 'lease-ttl', (n) => Number.isInteger(n) && n >= 0, 'a whole number of seconds'));
  set('snapshotCount', num(opts, 'snapshot-count', (n) => Number.isInteger(n) && n >= 1, 'a positive integer'));
  set('clientPort', num(opts, 'etcd-client-port', isPort, 'a port number'));
  set('peerPort', num(opts, 'etcd-peer-port', isPort, 'a port number'));
  const ready = num(opts, 'ready-timeout', (n) => n > 0 && Number.isFinite(n), 'a positive number of seconds');
  set('readyTimeoutMs', ready === undefined ? undefined : ready * 1000);
  set('binary', opts['etcd-binary']);
  set('version', opts['etcd-version']);
  set('tarball', opts['etcd-tarball']);
  set('installDir', opts['etcd-install-dir']);
  if (out.tarball !== undefined && out.binary !== undefined) throw new UsageError('--opt etcd-tarball and etcd-binary exclude each other; give one');
  if (out.installDir !== undefined && !out.installDir.startsWith('/')) throw new UsageError(`--opt etcd-install-dir must be an absolute path, got ${JSON.stringify(out.installDir)}`);
  if ((out.clientPort ?? 2379) === (out.peerPort ?? 2380)) throw new UsageError('--opt etcd-client-port and etcd-peer-port must differ');
  return out;
}

export const ETCD_DB_ENTRY: DbEntry = {
  description: 'etcd 3.4+ (installed with apt-get when missing, or from a release tarball), one member per node, through its v3 JSON gateway; --opt serializable-reads=true makes reads non-linearizable',
  providers: ['local', 'ssh', 'docker'],
  workloads: [...KV_WORKLOADS],
  bugs: {},
  expect: 'valid under partition, kill and pause; with --opt serializable-reads=true the register is not linearizable under partitions',
  options: ETCD_OPTIONS,
  make(o: TestOptions): DbInstance {
    const db = new EtcdDb(etcdOptions(o));
    return { db, client: (w) => db.client(w), prepare: () => db.prepare() };
  },
};
