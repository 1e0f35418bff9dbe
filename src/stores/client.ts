/**
 * HTTP client for the bundled stores' API (protocol.ts), used by the harness. Every call resolves
 * to an outcome the history can record as is:
 *   ok    the store applied the op (value: what a read or txn observed)
 *   fail  it certainly did not: a definite error reply (not-leader before anything was proposed,
 *         cas-mismatch, bad request, ...), or the connection could not even be made
 *   info  unknown: timeout, connection reset after the request may have been sent, an indefinite
 *         error reply. Read-only ops never change anything, so for them unknown becomes fail.
 * On `not-leader` with a leader hint the client retries at the hinted leader (at most twice; safe,
 * because the rejection was definite). Connections are kept alive.
 */
import http from 'node:http';
import type { CompletionType } from '../core/op.ts';
import { isReadOnly, type Key, type MicroOp, type StoreReply, type StoreRequest, type StoreStatus } from './protocol.ts';

export interface StoreOutcome {
  type: CompletionType;
  /** For ok only: what a read or txn observed (absent for writes: the invoked value stands). */
  value?: unknown;
  /** For fail / info: the store's error code, or a transport code (connect-failed, timeout, ...). */
  error?: string;
  message?: string;
  /** For cas-mismatch: what the register held. */
  current?: unknown;
  /** The node that gave the final answer (host:port). */
  node: string;
}

export interface StoreClientOptions {
  /** Per call, across leader redirects. Default 5000 ms. */
  timeoutMs?: number;
  /** Retry at the hinted leader on not-leader. Default true. */
  followLeader?: boolean;
  /** The source address to send from (a region's clients' address); default: the route's. */
  localAddress?: string;
}

/** How many times a client follows a not-leader hint before it gives up. */
export const MAX_REDIRECTS = 2;
const OP_PATH: Readonly<Record<StoreRequest['f'], string>> = { read: '/read', write: '/write', cas: '/cas', txn: '/txn' };

/** What a single HTTP exchange produced. */
type Exchange =
  | { kind: 'reply'; status: number; body: unknown }
  | { kind: 'transport'; sent: boolean; code: string; message: string };

export class StoreClient {
  readonly address: string;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly timeoutMs: number;
  private readonly followLeader: boolean;
  private readonly localAddress: string | undefined;

  constructor(address: string, opts: StoreClientOptions = {}) {
    this.address = address;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.followLeader = opts.followLeader ?? true;
    this.localAddress = opts.localAddress;
  }

  read(key: Key, signal?: AbortSignal): Promise<StoreOutcome> {
    return this.request({ f: 'read', key }, signal);
  }

  write(key: Key, value: unknown, signal?: AbortSignal): Promise<StoreOutcome> {
    return this.request({ f: 'write', key, value }, signal);
  }

  cas(key: Key, from: unknown, to: unknown, signal?: AbortSignal): Promise<StoreOutcome> {
    return this.request({ f: 'cas', key, from, to }, signal);
  }

  txn(ops: MicroOp[], signal?: AbortSignal): Promise<StoreOutcome> {
    return this.request({ f: 'txn', ops }, signal);
  }

  async request(req: StoreRequest, signal?: AbortSignal): Promise<StoreOutcome> {
    const deadline = performance.now() + this.timeoutMs;
    const { f, ...body } = req;
    const readOnly = isReadOnly(req);
    let node = this.address;
    for (let hop = 0; ; hop++) {
      const ex = await this.exchange(node, 'POST', OP_PATH[f], JSON.stringify(body), deadline, signal);
      if (ex.kind === 'transport') {
        const type = !ex.sent || readOnly ? 'fail' : 'info';
        return { type, error: ex.code, message: ex.message, node };
      }
      if (!isReply(ex.body)) {
        const message = `${node} answered HTTP ${ex.status} without ok / error`;
        return { type: readOnly ? 'fail' : 'info', error: 'bad-response', message, node };
      }
      const r = ex.body;
      const hint = r.ok ? undefined : r.error.leader?.address;
      if (!r.ok && r.error.code === 'not-leader' && this.followLeader && hint && hint !== node && hop < MAX_REDIRECTS) {
        node = hint;
        continue;
      }
      return outcomeOfReply(r, readOnly, node);
    }
  }

  /**
   * An operator command at this node (`POST /admin/<command>`, e.g. the sharded store's
   * `rebalance`): `ok` with what it did, else `fail` / `info` as for ops that change state.
   */
  async admin(command: string, body: unknown, signal?: AbortSignal): Promise<StoreOutcome> {
    const ex = await this.exchange(this.address, 'POST', `/admin/${command}`, JSON.stringify(body), performance.now() + this.timeoutMs, signal);
    if (ex.kind === 'transport') return { type: ex.sent ? 'info' : 'fail', error: ex.code, message: ex.message, node: this.address };
    if (!isReply(ex.body)) return { type: 'info', error: 'bad-response', message: `HTTP ${ex.status}`, node: this.address };
    return outcomeOfReply(ex.body, false, this.address);
  }

  /** The node's status; throws when it cannot be fetched. */
  async status(signal?: AbortSignal): Promise<StoreStatus> {
    const ex = await this.exchange(this.address, 'GET', '/status', undefined, performance.now() + this.timeoutMs, signal);
    if (ex.kind === 'transport') throw new Error(`status of ${this.address}: ${ex.message}`);
    if (ex.status !== 200) throw new Error(`status of ${this.address}: HTTP ${ex.status}`);
    return ex.body as StoreStatus;
  }

  close(): void {
    this.agent.destroy();
  }

  private exchange(
    node: string,
    method: string,
    path: string,
    body: string | undefined,
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<Exchange> {
    return new Promise(resolve => {
      const colon = node.lastIndexOf(':');
      let sent = false;
      let settled = false;
      const finish = (ex: Exchange): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(ex);
      };
      const fail = (code: string, message: string): void => finish({ kind: 'transport', sent, code, message });
      const req = http.request({
        host: node.slice(0, colon),
        port: Number(node.slice(colon + 1)),
        method,
        path,
        agent: this.agent,
        ...(this.localAddress !== undefined ? { localAddress: this.localAddress } : {}),
        headers: body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      });
      const abort = (code: string, message: string): void => {
        fail(code, message);
        req.destroy();
      };
      const onAbort = (): void => abort('aborted', 'request aborted');
      const timer = setTimeout(() => abort('timeout', `no reply from ${node} within ${this.timeoutMs} ms`), Math.max(0, deadline - performance.now()));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort);
      req.on('socket', socket => {
        // A reused keep-alive socket is already connected: from here on the request may arrive.
        if (!socket.connecting) sent = true;
        else socket.once('connect', () => (sent = true));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        const code = sent ? (err.code ?? 'connection-error') : 'connect-failed';
        fail(code, `${node}: ${err.message}`);
      });
      req.on('response', res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', err => fail('connection-error', `${node}: ${err.message}`));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch {
            return fail('bad-response', `${node} answered HTTP ${res.statusCode} with a body that is not JSON`);
          }
          finish({ kind: 'reply', status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.end(body);
    });
  }
}

function isReply(x: unknown): x is StoreReply {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as { ok?: unknown; error?: { code?: unknown; definite?: unknown } };
  if (r.ok === true) return true;
  return r.ok === false && typeof r.error?.code === 'string' && typeof r.error.definite === 'boolean';
}

/**
 * What a store's reply means for the history: ok with what it observed; a definite error is
 * `fail`; any other error `info`, except for read-only requests, which change nothing and so
 * `fail`. (Following a not-leader hint is the caller's business.)
 */
export function outcomeOfReply(r: StoreReply, readOnly: boolean, node: string): StoreOutcome {
  if (r.ok) return r.value === undefined ? { type: 'ok', node } : { type: 'ok', value: r.value, node };
  const type = r.error.definite || readOnly ? 'fail' : 'info';
  const out: StoreOutcome = { type, error: r.error.code, message: r.error.message, node };
  if (r.error.value !== undefined) out.current = r.error.value;
  return out;
}
