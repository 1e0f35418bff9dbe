/**
 * Register clients for Redis with Sentinel: a client bound to node X asks the sentinel on X which
 * node is the primary, before every op, and sends the op there. So when a partition isolates the
 * primary, the clients bound to it keep using it, as real applications next to it would.
 *
 *   read   GET register            ok with the value (null before any write)
 *   write  SET register v          ok
 *   cas    a Lua script: SET when GET equals the expected value (atomic on the server)
 *
 * Outcomes: `fail` only when the op surely did not happen (no primary known, no connection made,
 * or the server answered an error such as READONLY from a demoted primary); `info` when a write
 * was sent and no answer came (it may have happened). Reads change nothing: an unknown read fails.
 */
import { type Client, type ClientFactory, type ClientOp, type Completion, type NodeInfo } from 'faultline';
import { Redis, ReplyError } from 'ioredis';

export const MASTER_NAME = 'mymaster';
export const REDIS_PORT = 6379;
export const SENTINEL_PORT = 26379;
const KEY = 'register';
/** How long a client waits for a connection or a reply, ms. */
const TIMEOUT_MS = 1000;
/** Compare-and-set in one step: sets ARGV[2] when the key holds ARGV[1]; answers 1 when it did. */
const CAS = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0";

/**
 * A connection that neither queues nor reconnects on its own, so each error means one thing:
 * the promise rejects before anything was sent when the connection cannot be made.
 */
export async function connect(host: string, port: number, timeoutMs = TIMEOUT_MS): Promise<Redis> {
  const r = new Redis({
    host, port, lazyConnect: true, connectTimeout: timeoutMs, commandTimeout: timeoutMs,
    enableOfflineQueue: false, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null,
  });
  r.on('error', () => {}); // every error also rejects the command it concerns
  try {
    await r.connect();
    return r;
  } catch (e) {
    r.disconnect();
    throw e;
  }
}

/** An error's message, for completions and probes. */
export const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

class RegisterClient implements Client {
  readonly #node: NodeInfo;
  #sentinel: Redis | undefined;
  #primary: { address: string; redis: Redis } | undefined;

  constructor(node: NodeInfo) {
    this.#node = node;
  }

  /** The primary the node's sentinel names now, connected; throws when there is none to reach. */
  async #primaryConnection(): Promise<Redis> {
    let named: unknown;
    try {
      this.#sentinel ??= await connect(this.#node.address, SENTINEL_PORT);
      named = await this.#sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME);
    } catch (e) {
      this.#sentinel?.disconnect();
      this.#sentinel = undefined;
      throw new Error(`sentinel on ${this.#node.name}: ${message(e)}`);
    }
    if (!Array.isArray(named)) throw new Error(`sentinel on ${this.#node.name} knows no primary`);
    const [host, port] = named as [string, string];
    const address = `${host}:${port}`;
    if (this.#primary?.address !== address || this.#primary.redis.status !== 'ready') {
      this.#dropPrimary();
      this.#primary = { address, redis: await connect(host, Number(port)) };
    }
    return this.#primary.redis;
  }

  #dropPrimary(): void {
    this.#primary?.redis.disconnect();
    this.#primary = undefined;
  }

  async invoke(op: ClientOp): Promise<Completion> {
    let primary: Redis;
    try {
      primary = await this.#primaryConnection();
    } catch (e) {
      return { type: 'fail', error: message(e) }; // nothing was sent to a primary
    }
    try {
      switch (op.f) {
        case 'read': {
          const v = await primary.get(KEY);
          return { type: 'ok', value: v === null ? null : Number(v) };
        }
        case 'write':
          await primary.set(KEY, String(op.value));
          return { type: 'ok' };
        case 'cas': {
          const [from, to] = op.value as [number, number];
          const swapped = await primary.eval(CAS, 1, KEY, String(from), String(to));
          return swapped === 1 ? { type: 'ok' } : { type: 'fail', error: 'cas-mismatch' };
        }
        default:
          return { type: 'fail', error: `no op ${op.f}` };
      }
    } catch (e) {
      // The server answered with an error (READONLY, NOREPLICAS): it refused the op.
      if (e instanceof ReplyError) return { type: 'fail', error: message(e) };
      // Sent, and no answer: a write may have happened.
      this.#dropPrimary();
      return { type: op.f === 'read' ? 'fail' : 'info', error: message(e) };
    }
  }

  close(): void {
    this.#dropPrimary();
    this.#sentinel?.disconnect();
  }
}

/** One client per worker, bound to the worker's node. */
export const registerClient: ClientFactory = { open: (ctx) => new RegisterClient(ctx.node) };
