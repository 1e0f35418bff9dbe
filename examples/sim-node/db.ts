/**
 * The example store as a DB definition: `nodeLogic` is all `faultline sim` needs to run it.
 *
 *   faultline sim --db ./examples/sim-node/db.ts --seeds 200
 *   faultline sim --db ./examples/sim-node/db.ts --bug ack-before-fsync --time-budget 60
 *
 * It has no real deployment (`create`), so `faultline test` refuses it with a line saying so; a
 * store that also runs as processes gives `create` a DB adapter (see the reference stores).
 */
import { defineDb, UsageError } from '../../src/index.ts';
import { PrimaryBackupNode } from './node.ts';

export default defineDb({
  name: 'example:primary-backup',
  description: 'an example of node logic: a primary-backup key-value store that runs only in the simulator',
  workloads: ['register', 'list-append', 'rw-register'],
  bugs: {
    'ack-before-fsync': 'the primary answers before its log is durable: acknowledged writes lost after a crash',
    'backup-reads': 'backups answer reads from their lagging copy: stale reads',
  },
  expect: 'valid under every fault; invalid with either bug flag',
  create() {
    throw new UsageError('example:primary-backup exists only as node logic: run it with faultline sim');
  },
  nodeLogic: {
    create: (rt, { bugs }) => new PrimaryBackupNode(rt, bugs),
    modules: [new URL('./node.ts', import.meta.url).href],
  },
});
