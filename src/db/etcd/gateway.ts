/**
 * A small client for etcd's v3 gRPC JSON gateway (POST /v3/kv/range, /v3/kv/put, /v3/kv/txn,
 * /v3/lease/..., /v3/maintenance/status) over node's `http` with a keep-alive agent.
 *
 * Why the gateway and not gRPC: the gateway is built into every etcd >= 3.4 and forwards each
 * call to the same gRPC handlers in-process, so requests have exactly the gRPC semantics
 * (linearizable or serializable ranges, txns with compares, leases) while the harness needs no
 * native grpc module and no new dependency. Keys and values travel base64-encoded; 64-bit
 * integers (revisions, member ids) arrive as decimal strings and are kept as strings or parsed
 * with care.
 *
 * Every call resolves to a GatewayResult; `classify` turns it into ok / fail / info:
 *   ok    HTTP 200 with a JSON body
 *   fail  a definite rejection: a gRPC status that etcd returns before anything is proposed
 *         (bad request, no such lease, too many requests, no leader with the hasleader header,
 *         unknown path), or the connection could not be made (nothing was sent)
 *   info  anything else after the request may have been sent (timeout, reset, request timed
 *         out, leader changed mid-proposal, 5xx): it may still take effect. Read-only calls
 *         change nothing, so for them every unknown outcome becomes fail.
 */
import http from 'node:http';

export type GatewayResult =
  | { kind: 'ok'; body: Record<string, unknown> }
  | { kind: 'error'; status: number; grpcCode: number | undefined; message: string }
  | { kind: 'transport'; sent: boolean; code: string; message: string };

export type Classified = { type: 'ok'; body: Record<string, unknown> } | { type: 'fail' | 'info'; error: string };

/**
 * gRPC codes etcd answers before a request reaches raft: INVALID_ARGUMENT, NOT_FOUND,
 * ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, OUT_OF_RANGE,
 * UNIMPLEMENTED, UNAUTHENTICATED.
 */
const DEFINITE_CODES: ReadonlySet<number> = new Set([3, 5, 6, 7, 8, 9, 11, 12, 16]);
/** The hasleader interceptor's rejection (UNAVAILABLE, but nothing was proposed). */
const NO_LEADER = 'etcdserver: no leader';

export function classify(r: GatewayResult, readOnly: boolean): Classified {
  if (r.kind === 'ok') return { type: 'ok', body: r.body };
  if (r.kind === 'transport') return { type: !r.sent || readOnly ? 'fail' : 'info', error: `${r.code}: ${r.message}` };
  const definite =
    (r.grpcCode !== undefined && DEFINITE_CODES.has(r.grpcCode)) ||
    (r.grpcCode === 14 && r.message === NO_LEADER) ||
    (r.grpcCode === undefined && r.status === 404);
  const error = r.grpcCode !== undefined ? `grpc ${r.grpcCode}: ${r.message}` : `http ${r.status}: ${r.message}`;
  return { type: definite || readOnly ? 'fail' : 'info', error };
}

export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

export function unb64(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8');
}

/** The range_end that makes a range cover every key starting with `prefix` (base64). */
export function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  let i = bytes.length - 1;
  while (i >= 0 && bytes[i] === 0xff) i--;
  if (i < 0) return b64('\0');
  const end = bytes.subarray(0, i + 1);
  end[i] = (end[i] as number) + 1;
  return end.toString('base64');
}

/** One key-value as the gateway returns it (zero-valued fields are left out). */
export interface GatewayKv {
  key: string;
  value?: string;
  mod_revision?: string;
  create_revision?: string;
  version?: string;
  lease?: string;
}

export interface GatewayOptions {
  /** Per call. */
  timeoutMs: number;
}

export class EtcdGateway {
  /** host:port of the member's client URL. */
  readonly address: string;
  readonly #host: string;
  readonly #port: number;
  readonly #timeoutMs: number;
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 2 });

  constructor(address: string, opts: GatewayOptions) {
    const colon = address.lastIndexOf(':');
    this.address = address;
    this.#host = address.slice(0, colon);
    this.#port = Number(address.slice(colon + 1));
    this.#timeoutMs = opts.timeoutMs;
  }

  /**
   * POSTs `body` to `path`. With `requireLeader`, a member that knows no leader rejects the call
   * at once (definite) instead of proposing it and timing out.
   */
  call(path: string, body: unknown, opts: { signal?: AbortSignal; requireLeader?: boolean } = {}): Promise<GatewayResult> {
    const payload = JSON.stringify(body);
    return new Promise((resolve) => {
      let sent = false;
      let settled = false;
      const finish = (r: GatewayResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const headers: Record<string, string | number> = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) };
      if (opts.requireLeader) headers['Grpc-Metadata-hasleader'] = 'true';
      const req = http.request({ host: this.#host, port: this.#port, method: 'POST', path, agent: this.#agent, headers });
      const abort = (code: string, message: string): void => {
        finish({ kind: 'transport', sent, code, message });
        req.destroy();
      };
      const onAbort = (): void => abort('aborted', 'request aborted');
      const timer = setTimeout(() => abort('timeout', `no reply from ${this.address} within ${this.#timeoutMs} ms`), this.#timeoutMs);
      if (opts.signal?.aborted) return onAbort();
      opts.signal?.addEventListener('abort', onAbort);
      req.on('socket', (socket) => {
        // A reused keep-alive socket is connected already: the request may arrive from now on.
        if (!socket.connecting) sent = true;
        else socket.once('connect', () => (sent = true));
      });
      req.on('error', (e: NodeJS.ErrnoException) => finish({ kind: 'transport', sent, code: e.code ?? 'error', message: e.message }));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => finish({ kind: 'transport', sent: true, code: 'response-error', message: e.message }));
        res.on('end', () => finish(parseReply(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
      });
      req.end(payload);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

function parseReply(status: number, text: string): GatewayResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const obj = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
  if (status === 200 && obj) return { kind: 'ok', body: obj };
  const code = typeof obj?.['code'] === 'number' ? obj['code'] : undefined;
  const message = typeof obj?.['message'] === 'string' ? obj['message'] : text.trim().slice(0, 200) || `HTTP ${status}`;
  // A 200 whose body is not JSON is a broken reply, not a definite rejection.
  return { kind: 'error', status: status === 200 ? 500 : status, grpcCode: code, message };
}
