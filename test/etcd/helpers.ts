/**
 * Shared pieces of the etcd tests on real local clusters: the gate (root on Linux and an etcd
 * binary, else skip with the reason); everything of ../db-helpers.ts.
 */
import { existsSync } from 'node:fs';
import { DEFAULT_ETCD_BINARY } from '../../src/db/etcd/install.ts';

const IS_ROOT = process.platform === 'linux' && process.getuid?.() === 0;
const HAS_ETCD = existsSync(DEFAULT_ETCD_BINARY);

/** Why the etcd cluster tests cannot run here, or undefined when they can. */
export const SKIP_REASON: string | undefined = !IS_ROOT
  ? 'etcd cluster tests need root on Linux (network namespaces); skipped'
  : !HAS_ETCD
    ? `etcd cluster tests need ${DEFAULT_ETCD_BINARY} (apt-get install etcd-server); skipped`
    : undefined;
if (SKIP_REASON) console.warn(SKIP_REASON);

export * from '../db-helpers.ts';
