/**
 * Shared pieces of the Consul tests on real local clusters: the gate (root on Linux and a consul
 * binary from $FAULTLINE_CONSUL or PATH, else skip with the reason and how to get one);
 * everything of ../db-helpers.ts.
 */
import { CONSUL_ENV, consulSource } from '../../src/db/consul/install.ts';

const IS_ROOT = process.platform === 'linux' && process.getuid?.() === 0;

/** Where the tests take consul from, when anywhere. */
export const CONSUL_SOURCE: string | undefined = consulSource(undefined);

/** Why the Consul cluster tests cannot run here, or undefined when they can. */
export const SKIP_REASON: string | undefined = !IS_ROOT
  ? 'consul cluster tests need root on Linux (network namespaces); skipped'
  : CONSUL_SOURCE === undefined
    ? `no consul binary on PATH; install it from releases.hashicorp.com or pass ${CONSUL_ENV}=<path or URL of the binary or release zip>; skipped`
    : undefined;
if (SKIP_REASON) console.warn(SKIP_REASON);

export * from '../db-helpers.ts';
