/**
 * The client API every bundled store speaks (HTTP/JSON): request and reply shapes, error codes,
 * and whether an error is definite (the op certainly did not take effect) or not.
 *
 *   POST /read   {"key": K}                         -> {"ok": true, "value": V | null}
 *   POST /write  {"key": K, "value": V}             -> {"ok": true}
 *   POST /cas    {"key": K, "from": V1, "to": V2}   -> {"ok": true} | error cas-mismatch
 *   POST /txn    {"ops": [[f, K, V], ...]}           -> {"ok": true, "value": [[f, K, V'], ...]}
 *                f: "append" (to a list), "r" (read list or register; value null), "w" (write register)
 *   GET  /status                                    -> StoreStatus
 *
 * Keys are strings or finite numbers (1 and "1" are different keys). Errors answer
 * {"ok": false, "error": {"code", "message", "definite", "leader"?, "value"?}} with the HTTP status
 * from HTTP_STATUS. A node that is not the leader rejects with `not-leader` and a hint
 * `{"id", "address"}` of the leader it believes in (never forwards): that rejection happens
 * before anything is proposed, so it is definite.
 */

export type Key = string | number;
export type MicroOpF = 'append' | 'r' | 'w';
export type MicroOp = [MicroOpF, Key, unknown];

export type StoreRequest =
  | { f: 'read'; key: Key }
  | { f: 'write'; key: Key; value: unknown }
  | { f: 'cas'; key: Key; from: unknown; to: unknown }
  | { f: 'txn'; ops: MicroOp[] };

export type ErrorCode =
  | 'not-leader'
  | 'cas-mismatch'
  | 'type-mismatch'
  | 'bad-request'
  | 'unknown-op'
  | 'too-large'
  | 'unavailable'
  | 'dropped'
  | 'aborted'
  | 'wrong-shard'
  | 'timeout'
  | 'interrupted'
  | 'internal';

/** Codes that mean "this op certainly did not take effect". The others leave it unknown. */
export const DEFINITE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'not-leader',
  'cas-mismatch',
  'type-mismatch',
  'bad-request',
  'unknown-op',
  'too-large',
  'unavailable',
  'dropped',
  'aborted',
  'wrong-shard',
]);

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  'not-leader': 421,
  'cas-mismatch': 409,
  'type-mismatch': 409,
  'bad-request': 400,
  'unknown-op': 404,
  'too-large': 413,
  unavailable: 503,
  dropped: 409,
  aborted: 409,
  'wrong-shard': 421,
  timeout: 504,
  interrupted: 503,
  internal: 500,
};

export interface LeaderHint {
  id: string;
  address?: string;
}

export interface StoreError {
  code: ErrorCode;
  message: string;
  definite: boolean;
  leader?: LeaderHint;
  /** For cas-mismatch: the value the register held. */
  value?: unknown;
}

export type StoreReply = { ok: true; value?: unknown } | { ok: false; error: StoreError };

export interface StoreStatus {
  node: string;
  store: string;
  role: string;
  /** Raft term (or the store's epoch). */
  term: number;
  /** The node this node believes is the leader, or null. */
  leader: string | null;
  bugs: string[];
  [detail: string]: unknown;
}

export function errorReply(code: ErrorCode, message: string, extra: Partial<StoreError> = {}): StoreReply {
  return { ok: false, error: { code, message, definite: DEFINITE_CODES.has(code), ...extra } };
}

/** Reads change nothing, so a node may serve them without going through the log. */
export function isReadOnly(req: StoreRequest): boolean {
  return req.f === 'read' || (req.f === 'txn' && req.ops.every(op => op[0] === 'r'));
}

/** Thrown by parseRequest; the server turns it into an error reply. */
export class RequestError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export const OP_PATHS = ['/read', '/write', '/cas', '/txn'] as const;

/** Validates a decoded JSON body for an op path; throws RequestError naming the field at fault. */
export function parseRequest(path: string, body: unknown): StoreRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RequestError('bad-request', 'request body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  switch (path) {
    case '/read':
      return { f: 'read', key: parseKey(b.key, 'key') };
    case '/write':
      requireField(b, 'value');
      return { f: 'write', key: parseKey(b.key, 'key'), value: b.value };
    case '/cas':
      requireField(b, 'from');
      requireField(b, 'to');
      return { f: 'cas', key: parseKey(b.key, 'key'), from: b.from, to: b.to };
    case '/txn':
      return { f: 'txn', ops: parseMicroOps(b.ops) };
    default:
      throw new RequestError('unknown-op', `unknown op path ${JSON.stringify(path)}`);
  }
}

function requireField(b: Record<string, unknown>, field: string): void {
  if (!(field in b)) throw new RequestError('bad-request', `missing field "${field}"`);
}

function parseKey(k: unknown, where: string): Key {
  if (typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k))) return k;
  throw new RequestError('bad-request', `${where} must be a string or a finite number`);
}

function parseMicroOps(ops: unknown): MicroOp[] {
  if (!Array.isArray(ops)) throw new RequestError('bad-request', 'ops must be an array of [f, key, value]');
  return ops.map((op: unknown, i) => {
    if (!Array.isArray(op) || op.length !== 3) {
      throw new RequestError('bad-request', `ops[${i}] must be [f, key, value]`);
    }
    const [f, key, value] = op as [unknown, unknown, unknown];
    if (f !== 'append' && f !== 'r' && f !== 'w') {
      throw new RequestError('bad-request', `ops[${i}]: unknown micro-op ${JSON.stringify(f)} (append, r or w)`);
    }
    return [f, parseKey(key, `ops[${i}] key`), value];
  });
}
