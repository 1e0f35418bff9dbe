/**
 * Clients of simulated store nodes: what the reference stores' HTTP clients do, in simulated
 * time. An op becomes a store request through the same mapping a real run uses
 * (src/db/reference/clients.ts), goes to the client's node over its client link, follows a
 * not-leader hint to the named leader (at most twice), and ends as the real client would end it:
 * ok; fail for definite errors, refused connections and read-only requests; info for everything
 * else, including no reply within the op timeout and a node that crashed holding the request.
 * Every invocation is answered exactly once, by its deadline at the latest.
 */
import type { ClientOp, Completion } from '../core/client.ts';
import type { StoreOpMapping } from '../db/reference/clients.ts';
import { MAX_REDIRECTS, outcomeOfReply, type StoreOutcome } from '../stores/client.ts';
import { isReadOnly, type StoreReply, type StoreRequest } from '../stores/protocol.ts';
import type { Simulator } from './simulator.ts';

export class SimStoreClients {
  readonly #sim: Simulator<StoreRequest, StoreReply>;
  readonly #mapping: StoreOpMapping;
  readonly #timeoutMs: number;

  constructor(sim: Simulator<StoreRequest, StoreReply>, mapping: StoreOpMapping, timeoutMs: number) {
    this.#sim = sim;
    this.#mapping = mapping;
    this.#timeoutMs = timeoutMs;
  }

  /** Performs `op` against `node`; `done` is called exactly once, within the op timeout. */
  invoke(node: string, op: ClientOp, done: (c: Completion) => void): void {
    const req = this.#mapping.request(op);
    if (!('f' in req)) {
      done(req);
      return;
    }
    const readOnly = isReadOnly(req);
    let answered = false;
    const finish = (out: StoreOutcome): void => {
      if (answered) return;
      answered = true;
      deadline.run = null;
      done(this.#mapping.completion(op, out));
    };
    const deadline = this.#sim.schedule(this.#timeoutMs, () => {
      finish({ type: readOnly ? 'fail' : 'info', error: 'timeout', message: `no reply from ${node} within ${this.#timeoutMs} ms`, node });
    });
    const send = (at: string, hop: number): void => {
      this.#sim.request(at, req, (r) => {
        if (answered) return;
        if (r.kind === 'refused') return finish({ type: 'fail', error: 'connect-failed', message: `${at}: connection refused`, node: at });
        if (r.kind === 'reset') return finish({ type: readOnly ? 'fail' : 'info', error: 'connection-error', message: `${at}: connection reset`, node: at });
        const reply = r.reply;
        const hint = reply.ok ? undefined : reply.error.leader?.id;
        if (!reply.ok && reply.error.code === 'not-leader' && hint && hint !== at && hop < MAX_REDIRECTS && this.#sim.nodeIds.includes(hint)) {
          send(hint, hop + 1);
          return;
        }
        finish(outcomeOfReply(reply, readOnly, at));
      });
    };
    send(node, 0);
  }
}
