/**
 * `faultline/db`: what a DB adapter is built from, the pieces Faultline's own adapters (etcd,
 * Consul, the reference stores) use.
 * - `DaemonDb`: the lifecycle of one daemon per node (teardown, logs, kill, restart, pause,
 *   resume); implement `logFile` and `spawn`, and `setup` calling `this.daemons.waitReady`.
 * - `NodeDaemons`: pids of the node daemons, the readiness wait (which quotes the daemon's log
 *   when it exits during start-up), kill / pause / resume through the provider's node control.
 * - `tcpProbe`, `httpProbe`: readiness probes.
 * - `ProcessDb`: any node program speaking the reference stores' HTTP/JSON protocol.
 * - the key-value clients' helpers, for adapters serving the standard workloads.
 * A Remote (ctx.cluster.remote(node)) runs commands and starts daemons on a node; `spawnDaemon`
 * marks the process so kills and cleanups find it.
 */
export type { DB } from '../core/db.ts';
export type { NodeContext, RunContext } from '../core/context.ts';
export { nodeContext } from '../core/context.ts';
export { DaemonDb, NodeDaemons, type ReadyWait } from './daemons.ts';
export { tcpProbe, httpProbe } from './probes.ts';
export { ProcessDb, type ProcessDbOptions } from './process/db.ts';
export {
  KV_WORKLOADS, kvWorkloadClients, applyMicroOps, keyed, failed, type KvFactorySpec, type KvOutcome, type KvWorkloads, type KvWorkloadInvoke, type KeepAlive, type MicroOp,
} from './kv-clients.ts';
