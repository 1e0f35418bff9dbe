/**
 * Registry entries of the bundled reference stores (`--db reference:<store>`): what each store is,
 * its bug flags and what the checkers should find with each.
 */
import type { DbEntry, DbInstance } from '../index.ts';
import type { TestOptions } from '../../core/test.ts';
import { ReferenceDb } from './db.ts';

function reference(store: string) {
  return (opts: TestOptions): DbInstance => {
    const db = new ReferenceDb({ store, bugs: opts.bug, opTimeoutMs: opts.opTimeoutMs });
    return { db, client: (w) => db.client(w) };
  };
}

export const REFERENCE_DBS: Record<string, DbEntry> = {
  'reference:raft': {
    description: 'the bundled Raft store: leader election, replicated log, fsync before ack, read index, CAS and transactions through the log',
    providers: ['local', 'ssh'],
    workloads: ['register', 'list-append', 'rw-register'],
    bugs: {
      'stale-reads': 'followers serve reads from their own state: the register is not linearizable (nonlinearizable, stale-read)',
      'no-fsync': 'acknowledges before fsync: acknowledged writes vanish after kill -9 (needs --nemesis kill)',
      'lease-reads': 'the leader serves reads on a clock lease: stale reads under clock skew (needs --nemesis clock)',
      'volatile-votes': 'votes are not persisted: two leaders in one term after restarts (needs --nemesis kill)',
    },
    expect: 'valid under every nemesis',
    make: reference('raft'),
  },
};
