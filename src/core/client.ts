/**
 * The Client protocol: how workers talk to the system under test.
 *
 * A ClientFactory opens one Client per worker, bound to a node. `invoke` performs one op and says
 * how it ended. A client that cannot tell whether an op took effect (timeout, connection reset
 * after sending) must answer `info`, never `fail`. Throwing is allowed: the runner records the
 * op as `info` with the error, and opens a fresh client for the next process.
 */
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
  /** Opens a client for one worker, talking to `node`. */
  open(node: string, test: Readonly<Record<string, unknown>>): Promise<Client> | Client;
  /** Called once before the workload starts (create tables, initial values). */
  setup?(test: Readonly<Record<string, unknown>>): Promise<void>;
  /** Called once after the run (drop what setup created). */
  teardown?(test: Readonly<Record<string, unknown>>): Promise<void>;
}
