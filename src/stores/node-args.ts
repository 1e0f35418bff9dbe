/** Command-line arguments of the store node program (main.ts), parsed and checked. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.ts';
import type { PeerAddress } from './real/peer-transport.ts';
import { STORES } from './registry.ts';

export interface NodeConfig {
  store: string;
  id: string;
  listen: PeerAddress;
  peers: Map<string, PeerAddress>;
  dataDir: string;
  bugs: Set<string>;
  mode?: string;
  heartbeatMs?: number;
  electionMs?: number;
  requestTimeoutMs?: number;
  n?: number;
  r?: number;
  w?: number;
}

export function parseAddress(text: string, what: string): PeerAddress {
  const colon = text.lastIndexOf(':');
  const port = Number(text.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`${what}: expected host:port, got ${JSON.stringify(text)}`);
  }
  return { host: text.slice(0, colon), port };
}

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${flag}: expected a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

export function parseNodeArgs(argv: readonly string[]): NodeConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        store: { type: 'string' },
        id: { type: 'string' },
        listen: { type: 'string' },
        peers: { type: 'string' },
        'data-dir': { type: 'string' },
        bug: { type: 'string', multiple: true },
        mode: { type: 'string' },
        'heartbeat-ms': { type: 'string' },
        'election-ms': { type: 'string' },
        'request-timeout-ms': { type: 'string' },
        n: { type: 'string' },
        r: { type: 'string' },
        w: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  for (const flag of ['store', 'id', 'listen', 'peers', 'data-dir'] as const) {
    if (!values[flag]) throw new UsageError(`--${flag} is required`);
  }
  const store = values.store!;
  const kind = STORES[store];
  if (!kind) throw new UsageError(`--store: unknown store ${JSON.stringify(store)} (known: ${Object.keys(STORES).join(', ')})`);
  const id = values.id!;
  const peers = new Map<string, PeerAddress>();
  for (const part of values.peers!.split(',').filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`--peers: expected id=host:port, got ${JSON.stringify(part)}`);
    const peerId = part.slice(0, eq);
    if (peers.has(peerId)) throw new UsageError(`--peers: ${peerId} is listed twice`);
    peers.set(peerId, parseAddress(part.slice(eq + 1), `--peers ${peerId}`));
  }
  const listen = parseAddress(values.listen!, '--listen');
  peers.delete(id);
  const bugs = new Set((values.bug ?? []).flatMap(b => b.split(',')).filter(Boolean));
  for (const b of bugs) {
    if (!kind.bugs.includes(b)) {
      throw new UsageError(`--bug: ${store} has no bug ${JSON.stringify(b)} (known: ${kind.bugs.join(', ')})`);
    }
  }
  const mode = values.mode;
  if (mode !== undefined && !kind.modes.includes(mode)) {
    const known = kind.modes.length ? `known: ${kind.modes.join(', ')}` : 'it has none';
    throw new UsageError(`--mode: ${store} has no mode ${JSON.stringify(mode)} (${known})`);
  }
  const heartbeatMs = positiveInt(values['heartbeat-ms'], 'heartbeat-ms');
  const electionMs = positiveInt(values['election-ms'], 'election-ms');
  const requestTimeoutMs = positiveInt(values['request-timeout-ms'], 'request-timeout-ms');
  const quorum = { n: positiveInt(values.n, 'n'), r: positiveInt(values.r, 'r'), w: positiveInt(values.w, 'w') };
  if (store !== 'quorum' && Object.values(quorum).some(v => v !== undefined)) {
    throw new UsageError(`--n, --r and --w apply to the quorum store only, not ${store}`);
  }
  return {
    store,
    id,
    listen,
    peers,
    dataDir: path.resolve(values['data-dir']!),
    bugs,
    ...(mode !== undefined && { mode }),
    ...(heartbeatMs !== undefined && { heartbeatMs }),
    ...(electionMs !== undefined && { electionMs }),
    ...(requestTimeoutMs !== undefined && { requestTimeoutMs }),
    ...(quorum.n !== undefined && { n: quorum.n }),
    ...(quorum.r !== undefined && { r: quorum.r }),
    ...(quorum.w !== undefined && { w: quorum.w }),
  };
}

