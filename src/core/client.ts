/**
 * The Client protocol: how workers talk to the system under test.
 *
 * A ClientFactory opens one Client per worker, bound to a node (`ctx.node`, whose `address` is
 * where to connect). `invoke` performs one op and says how it ended:
 * - `ok`: it happened; `value` is what was observed (a read's result).
 * - `fail`: it definitely did not happen (refused before any effect: a CAS whose expected value
 *   did not match, "not leader" answered before the write was proposed, connection refused).
 * - `info`: unknown, it may have happened or may still happen (a timeout, a connection reset
 *   after the request was sent, an error whose effect you cannot rule out). When in doubt: info.
 *   Calling an uncertain op `fail` hides real anomalies; calling it `info` only costs search time.
 * Throwing is allowed and means `info`: the runner records the error and opens a fresh client
 * for the worker's next process. `signal` aborts at the op timeout; stop waiting when it fires.
 *
 * @example
 * const factory: ClientFactory = {
 *   open(ctx) {
 *     const base = `http://${ctx.node.address}:8080`;
 *     return {
 *       async invoke(op, { signal }) {
 *         if (op.f === 'read') {
 *           const r = await fetch(`${base}/key`, { signal });          // a throw here is recorded as info
 *           return { type: 'ok', value: r.status === 404 ? null : Number(await r.text()) };
 *         }
 *         const r = await fetch(`${base}/key`, { method: 'PUT', body: String(op.value), signal });
 *         return r.ok ? { type: 'ok' } : { type: r.status === 503 ? 'fail' : 'info', error: `HTTP ${r.status}` };
 *       },
 *       close() {},
 *     };
 *   },
 * };
 */
import type { NodeContext, RunContext } from './context.ts';
import type { CompletionType } from './op.ts';

export interface ClientOp {
  process: number;
  f: string;
  value: unknown;
}

export interface Completion {
  type: CompletionType;
  /** The value observed (a read's result); defaults to the invoked value when omitted. */
  value?: unknown;
  error?: unknown;
}

export interface Client {
  invoke(op: ClientOp, opts: { signal: AbortSignal }): Promise<Completion>;
  close(): Promise<void> | void;
}

export interface ClientFactory {
  /** Opens a client for one worker, talking to `ctx.node`. */
  open(ctx: NodeContext): Promise<Client> | Client;
  /** Called once before the workload starts (create tables, initial values). */
  setup?(ctx: RunContext): Promise<void>;
  /** Called once after the run (drop what setup created, stop keep-alives). */
  teardown?(ctx: RunContext): Promise<void>;
}
