/**
 * Consul's HTTP API over Node's fetch: one request with a per-call timeout, resolving to the
 * HTTP answer or to a transport failure that says whether the request may have reached the
 * server. `classify` turns a result into ok / fail / info:
 *   ok    any 2xx answer (and 404 where the caller says absent is fine)
 *   fail  a definite refusal: a 4xx (bad request, ACL, too large, txn rolled back with 409), a 5xx
 *         saying there is no cluster leader (nothing was proposed), or a connection that could
 *         not be made (nothing was sent)
 *   info  anything else after the request may have been sent (timeout, reset, other 5xx such as
 *         "leadership lost while committing log"): it may still take effect. Read-only calls
 *         change nothing, so for them every unknown outcome becomes fail.
 */

export type HttpResult =
  | { kind: 'response'; status: number; body: string }
  | { kind: 'transport'; sent: boolean; code: string; message: string };

export type Classified = { type: 'ok'; status: number; body: string } | { type: 'fail' | 'info'; error: string };

/** Error codes of a connection that was never made: the request cannot have been sent. */
const NOT_CONNECTED: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT']);
const NO_LEADER = /no cluster leader/i;

export function classify(r: HttpResult, readOnly: boolean): Classified {
  if (r.kind === 'transport') return { type: !r.sent || readOnly ? 'fail' : 'info', error: `${r.code}: ${r.message}` };
  if (r.status >= 200 && r.status < 300) return { type: 'ok', status: r.status, body: r.body };
  const error = `http ${r.status}: ${r.body.trim().split('\n')[0]?.slice(0, 200) || 'no body'}`;
  const definite = (r.status >= 400 && r.status < 500) || NO_LEADER.test(r.body);
  return { type: definite || readOnly ? 'fail' : 'info', error };
}

/** A fetch failure as a transport result: aborted or timed out calls may have been sent. */
export function transportFailure(e: unknown, how: { timedOut: boolean; aborted: boolean }): HttpResult & { kind: 'transport' } {
  if (how.timedOut) return { kind: 'transport', sent: true, code: 'timeout', message: 'no answer in time' };
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (how.aborted || err.name === 'AbortError') return { kind: 'transport', sent: true, code: 'aborted', message: 'request aborted' };
  const code = err.cause?.code ?? 'error';
  return { kind: 'transport', sent: !NOT_CONNECTED.has(code), code, message: err.cause?.message ?? err.message ?? String(e) };
}

export type Query = Readonly<Record<string, string | number | true>>;

/** The request path with its query string; `true` values become bare flags (?stale). */
export function requestPath(path: string, query: Query = {}): string {
  const parts = Object.entries(query).map(([k, v]) => (v === true ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`));
  return parts.length ? `${path}?${parts.join('&')}` : path;
}

export class ConsulHttp {
  /** host:port of the agent's HTTP API. */
  readonly address: string;
  readonly #timeoutMs: number;

  constructor(address: string, timeoutMs: number) {
    this.address = address;
    this.#timeoutMs = timeoutMs;
  }

  async request(method: 'GET' | 'PUT', path: string, opts: { query?: Query; body?: string; signal?: AbortSignal } = {}): Promise<HttpResult> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    try {
      const res = await fetch(`http://${this.address}${requestPath(path, opts.query)}`, {
        method,
        signal,
        ...(opts.body !== undefined ? { body: opts.body } : {}),
      });
      return { kind: 'response', status: res.status, body: await res.text() };
    } catch (e) {
      const failure = transportFailure(e, { timedOut: timeout.aborted, aborted: opts.signal?.aborted ?? false });
      return failure.code === 'timeout' ? { ...failure, message: `no answer from ${this.address} within ${this.#timeoutMs} ms` } : failure;
    }
  }
}
