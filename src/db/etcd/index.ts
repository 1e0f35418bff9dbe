/**
 * `--db etcd`: what the DB is, which workloads it serves, and its options (each bad value is one
 * line naming the option). Options are `--opt etcd.<name>=<value>`; the old unprefixed spellings
 * (serializable-reads, etcd-binary, ...) still work with a deprecation line. The adapter is imported
 * when a run builds it.
 */
import { UsageError } from '../../core/errors.ts';
import { opt, type OptionValues } from '../../options/schema.ts';
import { defineDb } from '../../plugins/define.ts';
import type { EtcdDbOptions } from './db.ts';
import { KV_WORKLOADS } from '../kv-clients.ts';

const port = (doc: string, fallback: number, old: string) => opt.integer({ doc: `${doc} (default ${fallback})`, min: 1, max: 65535, aliases: [old] });

export const ETCD_OPTIONS = {
  'serializable-reads': opt.boolean({ doc: 'reads use serializable=true: answered locally, possibly stale', default: false, aliases: ['serializable-reads'] }),
  'lease-ttl': opt.integer({ doc: 'seconds: attach every put to one lease kept alive by the harness (0: no lease)', default: 0, min: 0, aliases: ['lease-ttl'] }),
  'snapshot-count': opt.integer({ doc: 'etcd --snapshot-count', min: 1, aliases: ['snapshot-count'] }),
  'pre-vote': opt.boolean({ doc: 'etcd --pre-vote', default: false, aliases: ['pre-vote'] }),
  binary: opt.string({ doc: 'the etcd binary on the nodes (default /usr/bin/etcd, installed from Debian when missing)', shape: 'a path', aliases: ['etcd-binary'] }),
  version: opt.string({ doc: 'required etcd version, e.g. 3.4 (prefix match)', aliases: ['etcd-version'] }),
  tarball: opt.string({ doc: 'URL or controller path of an etcd release tarball (etcd-vX.Y.Z-linux-<arch>.tar.gz) to install on every node instead', shape: 'a URL or path', aliases: ['etcd-tarball'] }),
  'install-dir': opt.string({ doc: 'where release tarballs unpack on the nodes (default /var/tmp/faultline/etcd)', pattern: /\/.*/, shape: 'an absolute path', aliases: ['etcd-install-dir'] }),
  'client-port': port('client port', 2379, 'etcd-client-port'),
  'peer-port': port('peer port', 2380, 'etcd-peer-port'),
  'ready-timeout': opt.number({ doc: 'seconds setup waits for a leader', default: 20, min: 0.1, aliases: ['ready-timeout'] }),
} as const;

/** The adapter's options from the parsed `etcd.*` options; combinations that cannot work are refused. */
export function etcdDbOptions(o: OptionValues<typeof ETCD_OPTIONS>, opTimeoutMs: number): EtcdDbOptions {
  if (o.tarball !== undefined && o.binary !== undefined) throw new UsageError('--opt etcd.tarball and etcd.binary exclude each other; give one');
  if ((o['client-port'] ?? 2379) === (o['peer-port'] ?? 2380)) throw new UsageError('--opt etcd.client-port and etcd.peer-port must differ');
  return {
    opTimeoutMs,
    serializableReads: o['serializable-reads'],
    preVote: o['pre-vote'],
    leaseTtlS: o['lease-ttl'],
    readyTimeoutMs: o['ready-timeout'] * 1000,
    ...(o['snapshot-count'] !== undefined ? { snapshotCount: o['snapshot-count'] } : {}),
    ...(o['client-port'] !== undefined ? { clientPort: o['client-port'] } : {}),
    ...(o['peer-port'] !== undefined ? { peerPort: o['peer-port'] } : {}),
    ...(o.binary !== undefined ? { binary: o.binary } : {}),
    ...(o.version !== undefined ? { version: o.version } : {}),
    ...(o.tarball !== undefined ? { tarball: o.tarball } : {}),
    ...(o['install-dir'] !== undefined ? { installDir: o['install-dir'] } : {}),
  };
}

export const etcdDb = defineDb({
  name: 'etcd',
  description: 'etcd 3.4+ (installed from Debian when missing, or from a release tarball), one member per node, through its v3 JSON gateway; etcd.serializable-reads=true makes reads non-linearizable',
  workloads: KV_WORKLOADS,
  expect: 'valid under partition, kill, pause and membership; with etcd.serializable-reads=true the register is not linearizable under partitions',
  capabilities: ['etcd'],
  options: ETCD_OPTIONS,
  async create({ options, test }) {
    const { EtcdDb } = await import('./db.ts');
    const db = new EtcdDb(etcdDbOptions(options, test.opTimeoutMs));
    // A release tarball is fetched and checked before any node is touched.
    await db.prepare();
    return { db, client: (w) => db.client(w) };
  },
});
