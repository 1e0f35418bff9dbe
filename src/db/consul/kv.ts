/**
 * Typed Consul KV calls: get one key or a prefix in a read mode, put (optionally check-and-set on
 * ModifyIndex), and /v1/txn with KV verbs; each resolves to ok with decoded entries or to a
 * classified fail / info (see http.ts). Values are JSON text; the API carries them base64-encoded
 * in reads and transactions.
 *
 * With a session (see session.ts), every write takes the key's lock for that session (the `lock`
 * txn verb, which also sets the value), so the key goes when the session is invalidated.
 *
 * Read modes (Consul's consistency modes): `default` is answered by the leader without checking
 * that it still leads (stale for a moment after a leader is deposed); `consistent` makes the
 * leader confirm its leadership with a quorum first; `stale` is answered by whichever server
 * receives it, from its own state, possibly far behind.
 */
import { ConsulHttp, classify } from './http.ts';

export const READ_MODES = ['default', 'consistent', 'stale'] as const;
export type ReadMode = (typeof READ_MODES)[number];
import type { KvOutcome } from '../kv-clients.ts';

export type { KvOutcome };

export interface KvEntry {
  key: string;
  value: unknown;
  modifyIndex: number;
}

export type TxnOp =
  | { verb: 'get-tree'; key: string }
  | { verb: 'set'; key: string; value: unknown }
  | { verb: 'cas'; key: string; value: unknown; index: number }
  | { verb: 'check-index'; key: string; index: number }
  | { verb: 'check-not-exists'; key: string }
  | { verb: 'lock'; key: string; value: unknown; session: string };

export type TxnReply = { committed: true; entries: KvEntry[] } | { committed: false; errors: string[] };

export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The query flag of a read mode. */
export function modeQuery(mode: ReadMode): Record<string, true> {
  return mode === 'default' ? {} : { [mode]: true };
}

/** One op of a /v1/txn body. */
export function encodeTxnOp(op: TxnOp): { KV: Record<string, unknown> } {
  const kv: Record<string, unknown> = { Verb: op.verb, Key: op.key };
  if ('value' in op) kv['Value'] = b64(JSON.stringify(op.value));
  if ('index' in op) kv['Index'] = op.index;
  if ('session' in op) kv['Session'] = op.session;
  return { KV: kv };
}

/**
 * The txn ops that write one key: unconditionally, or only if its ModifyIndex is still `index`
 * (0: only if it does not exist); with a session, through its lock.
 */
export function writeOps(key: string, value: unknown, opts: { index?: number; session?: string | undefined }): TxnOp[] {
  const { index, session } = opts;
  if (session === undefined) return [index === undefined ? { verb: 'set', key, value } : { verb: 'cas', key, value, index }];
  const lock: TxnOp = { verb: 'lock', key, value, session };
  if (index === undefined) return [lock];
  return [index === 0 ? { verb: 'check-not-exists', key } : { verb: 'check-index', key, index }, lock];
}

/** A KV entry as the API returns it (Value base64 or null), decoded. */
export function decodeEntry(raw: unknown): KvEntry {
  const e = raw as { Key?: unknown; Value?: unknown; ModifyIndex?: unknown };
  if (typeof e?.Key !== 'string' || typeof e.ModifyIndex !== 'number') throw new Error(`not a Consul KV entry: ${JSON.stringify(raw).slice(0, 200)}`);
  const text = typeof e.Value === 'string' ? Buffer.from(e.Value, 'base64').toString('utf8') : '';
  return { key: e.Key, value: text === '' ? null : (JSON.parse(text) as unknown), modifyIndex: e.ModifyIndex };
}

/** The errors of a rolled-back txn (409 body). */
export function txnErrors(body: string): string[] {
  try {
    const errors = (JSON.parse(body) as { Errors?: { OpIndex?: number; What?: string }[] | null }).Errors ?? [];
    return errors.map((e) => `op ${e.OpIndex ?? '?'}: ${e.What ?? 'failed'}`);
  } catch {
    return [body.trim().slice(0, 200)];
  }
}

function kvPath(key: string): string {
  return `/v1/kv/${key.split('/').map(encodeURIComponent).join('/')}`;
}

function parsed<T>(body: string, f: (json: unknown) => T): KvOutcome<T> {
  try {
    return { type: 'ok', value: f(JSON.parse(body)) };
  } catch (e) {
    return { type: 'fail', error: `bad reply: ${(e as Error).message}` };
  }
}

export class ConsulKv {
  readonly http: ConsulHttp;

  constructor(http: ConsulHttp) {
    this.http = http;
  }

  /** The key's entry, or null when it does not exist (404). */
  async get(key: string, mode: ReadMode, signal: AbortSignal): Promise<KvOutcome<KvEntry | null>> {
    const r = await this.http.request('GET', kvPath(key), { query: modeQuery(mode), signal });
    if (r.kind === 'response' && r.status === 404) return { type: 'ok', value: null };
    const c = classify(r, true);
    if (c.type !== 'ok') return c;
    return parsed(c.body, (json) => ((json as unknown[])[0] === undefined ? null : decodeEntry((json as unknown[])[0])));
  }

  /** Every entry under the prefix (none: an empty list). */
  async list(prefix: string, mode: ReadMode, signal: AbortSignal): Promise<KvOutcome<KvEntry[]>> {
    const r = await this.http.request('GET', kvPath(prefix), { query: { ...modeQuery(mode), recurse: true }, signal });
    if (r.kind === 'response' && r.status === 404) return { type: 'ok', value: [] };
    const c = classify(r, true);
    if (c.type !== 'ok') return c;
    return parsed(c.body, (json) => (json as unknown[]).map(decodeEntry));
  }

  /**
   * Writes the value; with `cas`, only if the key's ModifyIndex is still `cas` (0: absent); with a
   * session, as a txn taking the key's lock. Resolves to whether it was written.
   */
  async put(key: string, value: unknown, cas: number | undefined, signal: AbortSignal, session?: string): Promise<KvOutcome<boolean>> {
    if (session !== undefined) {
      const t = await this.txn(writeOps(key, value, { ...(cas !== undefined ? { index: cas } : {}), session }), 'default', signal);
      return t.type === 'ok' ? { type: 'ok', value: t.value.committed } : t;
    }
    const c = classify(await this.http.request('PUT', kvPath(key), { query: cas === undefined ? {} : { cas }, body: JSON.stringify(value), signal }), false);
    if (c.type !== 'ok') return c;
    const written = c.body.trim();
    if (written !== 'true' && written !== 'false') return { type: 'info', error: `unexpected reply to a put: ${written.slice(0, 100)}` };
    return { type: 'ok', value: written === 'true' };
  }

  /**
   * One transaction. A read-only one (only get-tree) is answered in `mode` and resolves to the
   * entries found; one with writes always goes through the leader. A rolled-back txn (409) is a
   * definite, non-committed reply.
   */
  async txn(ops: readonly TxnOp[], mode: ReadMode, signal: AbortSignal): Promise<KvOutcome<TxnReply>> {
    const readOnly = ops.every((o) => o.verb === 'get-tree');
    const r = await this.http.request('PUT', '/v1/txn', { query: readOnly ? modeQuery(mode) : {}, body: JSON.stringify(ops.map(encodeTxnOp)), signal });
    if (r.kind === 'response' && r.status === 409) return { type: 'ok', value: { committed: false, errors: txnErrors(r.body) } };
    const c = classify(r, readOnly);
    if (c.type !== 'ok') return c;
    // A 2xx to a txn with writes means it committed; its results (the written keys) are not needed.
    if (!readOnly) return { type: 'ok', value: { committed: true, entries: [] } };
    return parsed(c.body, (json) => {
      const results = (json as { Results?: { KV?: unknown }[] | null }).Results ?? [];
      return { committed: true as const, entries: results.flatMap((x) => (x.KV ? [decodeEntry(x.KV)] : [])) };
    });
  }
}
