/**
 * The HTTP server of a store node: the client API from protocol.ts on one port, which also takes
 * peer connections as HTTP upgrades (peer-transport.ts). Bad input (malformed JSON, unknown op,
 * oversized body, a node shutting down) gets a JSON error reply; nothing a client sends can crash
 * the node.
 */
import http from 'node:http';
import type net from 'node:net';
import {
  errorReply,
  HTTP_STATUS,
  OP_PATHS,
  parseRequest,
  RequestError,
  type StoreReply,
} from './protocol.ts';
import { PEER_HEADER, PEER_UPGRADE, type PeerTransport } from './real/peer-transport.ts';
import type { StoreNode } from './runtime.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

export interface StoreServerOptions {
  node: StoreNode<unknown>;
  transport: PeerTransport;
  /** The client address (host:port) of a node id, for not-leader hints. */
  addressOf(id: string): string | undefined;
  maxBodyBytes?: number;
}

export interface StoreServer {
  readonly http: http.Server;
  /** From now on every request is answered `unavailable`. */
  beginShutdown(): void;
}

export function createStoreServer(opts: StoreServerOptions): StoreServer {
  const limit = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  let stopping = false;

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      send(res, errorReply('internal', `internal error: ${(err as Error).message}`));
    });
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.requestTimeout = 0;

  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const from = req.headers[PEER_HEADER];
    if (req.headers.upgrade !== PEER_UPGRADE || typeof from !== 'string' || stopping) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    opts.transport.accept(from, socket, head);
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    if (stopping) return send(res, errorReply('unavailable', 'node is shutting down'));
    if (path === '/status' && (req.method === 'GET' || req.method === 'HEAD')) {
      return sendJson(res, 200, opts.node.status());
    }
    const admin = /^\/admin\/([a-z-]+)$/.exec(path)?.[1];
    if (!(OP_PATHS as readonly string[]).includes(path) && admin === undefined) {
      return send(res, errorReply('unknown-op', `unknown path ${path}: use POST /read, /write, /cas, /txn, /admin/<command> or GET /status`));
    }
    if (req.method !== 'POST') return send(res, errorReply('bad-request', `${path} takes POST, not ${req.method}`));
    const body = await readBody(req, limit);
    if (body === undefined) {
      res.setHeader('Connection', 'close');
      return send(res, errorReply('too-large', `request body exceeds ${limit} bytes`));
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (err) {
      return send(res, errorReply('bad-request', `malformed JSON: ${(err as Error).message}`));
    }
    if (admin !== undefined) {
      if (!opts.node.admin) return send(res, errorReply('unknown-op', `this store has no operator command ${admin}`));
      return opts.node.admin(admin, json, reply => send(res, reply));
    }
    let request;
    try {
      request = parseRequest(path, json);
    } catch (err) {
      if (err instanceof RequestError) return send(res, errorReply(err.code, err.message));
      throw err;
    }
    opts.node.submit(request, reply => send(res, withLeaderAddress(reply, opts.addressOf)));
  }

  return {
    http: server,
    beginShutdown: () => {
      stopping = true;
    },
  };
}

function withLeaderAddress(reply: StoreReply, addressOf: (id: string) => string | undefined): StoreReply {
  if (reply.ok || !reply.error.leader) return reply;
  const address = addressOf(reply.error.leader.id);
  return address ? { ok: false, error: { ...reply.error, leader: { id: reply.error.leader.id, address } } } : reply;
}

/** Bodies beyond this are not even drained: the connection is cut. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * The body, or undefined when it is larger than `limit` bytes. An oversized body is still read
 * to its end (and dropped), so the client, still sending, gets the error reply and not a reset.
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > MAX_DRAIN_BYTES) req.destroy();
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('close', () => resolve(undefined));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, reply: StoreReply): void {
  sendJson(res, reply.ok ? 200 : HTTP_STATUS[reply.error.code], reply);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
