/**
 * Per-thread state of the interpreter: the thread's node, its open client and the process it
 * was opened for, the op in flight with its deadline, and the completion handlers.
 *
 * The handlers are made once per thread and reused for every op, so dispatching an op creates
 * no closures. An op that times out is abandoned: the thread gets a new token and new handlers,
 * so the abandoned promise's late result is ignored.
 */
import type { Thread } from '../core/generator.ts';
import type { Client, Completion } from '../core/client.ts';
import type { Op, ProcessId } from '../core/op.ts';

export interface WorkerCallbacks {
  completed(worker: Worker, completion: unknown): void;
  threw(worker: Worker, error: unknown): void;
}

export class Worker {
  readonly thread: Thread;
  /** The node a client thread talks to; undefined for the nemesis thread. */
  readonly node: string | undefined;
  client: Client | null = null;
  /** The process `client` was opened for. */
  clientProcess: ProcessId | null = null;
  /** The invocation in flight, or null when idle. */
  invoke: Op | null = null;
  /** When the op in flight times out, ns since the start. */
  deadline = 0;
  /** Whether the op in flight reached the client or nemesis (false while a client is being opened). */
  sent = false;
  controller = new AbortController();
  token = 0;
  onCompleted!: (c: Completion) => void;
  onThrew!: (e: unknown) => void;
  readonly #callbacks: WorkerCallbacks;

  constructor(thread: Thread, node: string | undefined, callbacks: WorkerCallbacks) {
    this.thread = thread;
    this.node = node;
    this.#callbacks = callbacks;
    this.#makeHandlers();
  }

  /** Abandons the op in flight: its signal is aborted and its late result will be ignored. */
  abandon(): void {
    this.token++;
    this.controller.abort(new Error('operation abandoned'));
    this.controller = new AbortController();
    this.#makeHandlers();
  }

  /** Forgets the client (after an `info`, a new process gets a fresh one); closing errors are ignored. */
  dropClient(): void {
    const c = this.client;
    this.client = null;
    this.clientProcess = null;
    if (c !== null) closeQuietly(c);
  }

  #makeHandlers(): void {
    const token = this.token;
    this.onCompleted = (c) => {
      if (this.token === token) this.#callbacks.completed(this, c);
    };
    this.onThrew = (e) => {
      if (this.token === token) this.#callbacks.threw(this, e);
    };
  }
}

/** Closes a client, ignoring whatever it throws or rejects with. */
export function closeQuietly(client: Client): Promise<void> {
  try {
    return Promise.resolve(client.close()).catch(() => undefined);
  } catch {
    return Promise.resolve();
  }
}

export function isThenable<T>(x: unknown): x is PromiseLike<T> {
  return typeof x === 'object' && x !== null && typeof (x as PromiseLike<T>).then === 'function';
}
