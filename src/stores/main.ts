/**
 * The node program of the bundled reference stores, one process per node:
 *
 *   node --import tsx src/stores/main.ts --store raft --id n1 --listen 10.213.0.11:8080 \
 *     --peers n1=10.213.0.11:8080,n2=10.213.0.12:8080,n3=10.213.0.13:8080 --data-dir DIR \
 *     [--bug stale-reads] [--heartbeat-ms 50] [--election-ms 400] [--request-timeout-ms 3000]
 *   node --import tsx src/stores/main.ts --store leader-follower [--mode async|sync] ...
 *   node --import tsx src/stores/main.ts --store quorum [--n 3 --r 2 --w 2] ...
 *   node --import tsx src/stores/main.ts --store lww [--heartbeat-ms 200] ...
 *   node --import tsx src/stores/main.ts --store mvcc [--mode snapshot|read-committed] ...
 *
 * --election-ms is Raft's minimum election timeout and the leader-follower failover timeout;
 * --heartbeat-ms is also lww's anti-entropy interval; --n, --r, --w set the quorum store's quorums.
 * Clients and peers both use the --listen port (peers through an HTTP upgrade). State lives in
 * DIR; a node killed at any moment restarts from it. SIGTERM / SIGINT stop the node cleanly.
 * Bad arguments or a damaged data directory print one line and exit 254.
 */
import { isUserError } from '../core/errors.ts';
import { parseNodeArgs, type NodeConfig } from './node-args.ts';
import { STORES } from './registry.ts';
import { FileStorage } from './real/file-storage.ts';
import { PeerTransport } from './real/peer-transport.ts';
import { logLine, realRuntime } from './real/runtime.ts';
import { createStoreServer } from './server.ts';

async function run(cfg: NodeConfig): Promise<void> {
  const kind = STORES[cfg.store]!;
  const fatal = (err: Error): void => {
    logLine(cfg.id, `fatal: ${err.message}`);
    process.exit(1);
  };
  const storage = FileStorage.open(cfg.dataDir, { mode: kind.syncMode(cfg.bugs), onFatal: fatal });
  let deliver: (from: string, msg: unknown) => void = () => {};
  const transport = new PeerTransport({
    self: cfg.id,
    peers: cfg.peers,
    onMessage: (from, msg) => deliver(from, msg),
    log: line => logLine(cfg.id, line),
  });
  const rt = realRuntime<unknown>({ self: cfg.id, peers: [...cfg.peers.keys()], transport, storage });
  const node = kind.create(rt, cfg);
  deliver = (from, msg) => node.receive(from, msg);
  const addresses = new Map([...cfg.peers].map(([id, a]) => [id, `${a.host}:${a.port}`]));
  addresses.set(cfg.id, `${cfg.listen.host}:${cfg.listen.port}`);
  const server = createStoreServer({ node, transport, addressOf: id => addresses.get(id) });

  node.start();
  await new Promise<void>((resolve, reject) => {
    server.http.once('error', reject);
    server.http.listen(cfg.listen.port, cfg.listen.host, () => resolve());
  });
  logLine(cfg.id, `${cfg.store} node listening on ${cfg.listen.host}:${cfg.listen.port}, data in ${cfg.dataDir}` +
    (cfg.bugs.size ? `, bugs: ${[...cfg.bugs].join(',')}` : ''));

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logLine(cfg.id, `${signal}: stopping`);
    server.beginShutdown();
    node.stop();
    transport.close();
    server.http.close();
    server.http.closeIdleConnections();
    storage.close().then(
      () => process.exit(0),
      (err: unknown) => fatal(err as Error),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

try {
  await run(parseNodeArgs(process.argv.slice(2)));
} catch (err) {
  process.stderr.write(`faultline-store: ${(err as Error).message}\n`);
  process.exit(isUserError(err) ? 254 : 1);
}
