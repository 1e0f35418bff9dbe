/**
 * The environment marker every node process carries (FAULTLINE_RUN=<prefix>, FAULTLINE_NODE=<node>),
 * so that processes of a run can always be found again: by cleanup after a crash, and before a
 * signal is sent, to make sure the pid still belongs to us.
 */
import type { DaemonSpec } from '../core/remote.ts';

export const RUN_VAR = 'FAULTLINE_RUN';
export const NODE_VAR = 'FAULTLINE_NODE';
/**
 * Set on processes that inject faults on a node (the delay helper) rather than run its DB: they
 * are cleaned up with the run, but a kill or pause of the node leaves them alone.
 */
export const FAULT_HELPER_ENV: Readonly<Record<string, string>> = { FAULTLINE_ROLE: 'fault-helper' };

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function markerEnv(prefix: string, node: string): Record<string, string> {
  return { [RUN_VAR]: prefix, [NODE_VAR]: node };
}

/**
 * A daemon's whole environment: PATH, the provider's settings for every daemon (the fake clock's
 * libfaketime, left out when the spec says `fakeClock: false`), the spec's own, the run marker.
 */
export function daemonEnv(spec: DaemonSpec, providerEnv: Readonly<Record<string, string>> | undefined, prefix: string, node: string): Record<string, string> {
  return { PATH: DEFAULT_PATH, ...(spec.fakeClock === false ? {} : providerEnv), ...spec.env, ...markerEnv(prefix, node) };
}
