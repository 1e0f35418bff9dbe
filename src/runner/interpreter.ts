/**
 * The interpreter: runs a generator against real clients and the nemesis, recording every
 * invocation and completion as it happens.
 *
 * Threads are `concurrency` client workers plus one nemesis worker; client thread i talks to
 * node i % nodes.length. One scheduler evaluates the (pure) generator; workers are plain state
 * (see interpreter-worker.ts), so an op due now is dispatched straight away, with no timer or
 * closure of its own; one timer covers all op timeouts. Completions arrive as promise callbacks
 * and are recorded at once; the scheduler yields to the event loop every BATCH dispatches so
 * timers, I/O and the history recorder keep running.
 *
 * Op outcomes: the client's answer; `info` "timeout" when an op outlives opTimeoutMs (its late
 * result is ignored); `info` with the message when invoke throws; `fail` when a client cannot
 * be opened (nothing was sent). After an `info` a client thread continues as process +
 * concurrency with a freshly opened client. On abort, no new op starts; ops in flight get until
 * their timeout, then are completed `info` "interrupted".
 */
import type { Client, ClientFactory, Completion } from '../core/client.ts';
import { nodeContext, type RunContext } from '../core/context.ts';
import { UsageError } from '../core/errors.ts';
import type { GenResult, GenTest, Generator, Invocation } from '../core/generator.ts';
import type { Nemesis } from '../core/nemesis.ts';
import type { CompletionType, Op } from '../core/op.ts';
import { ThreadTable } from '../generator/context.ts';
import { makeRng } from '../generator/rng.ts';
import { closeQuietly, isThenable, Worker, type WorkerCallbacks } from './interpreter-worker.ts';

export interface InterpreterProgress {
  invocations: number;
  completions: number;
  inFlight: number;
  /** Nanoseconds since the run started. */
  elapsedNs: number;
}

export interface InterpreterOptions {
  /** The run: clients open with its node contexts, the nemesis is invoked with it, generators see its test. */
  context: RunContext;
  /** Client threads. */
  concurrency: number;
  /** Already routed: client ops via `clients(...)`, faults via `nemesis(...)`. */
  generator: Generator;
  clientFactory: ClientFactory;
  /** Handles nemesis-thread ops; when null they complete `fail` ("no nemesis"). */
  nemesis: Nemesis | null;
  /** Called synchronously for every event, in order (dense index from 0, time in ns since start). */
  onEvent?: (op: Op) => void;
  opTimeoutMs: number;
  /** Seeds the generators' ctx.rng. */
  seed: number;
  /** Aborting stops issuing ops; ops in flight get until their timeout. */
  signal?: AbortSignal;
  /** Monotonic nanoseconds; default process.hrtime.bigint. */
  clock?: () => bigint | number;
  onProgress?: (p: InterpreterProgress) => void;
  /** How often onProgress is called; default 1000 ms. */
  progressIntervalMs?: number;
  /** Keep the history in memory for the result (default true); false saves memory on long runs. */
  keepHistory?: boolean;
}

export interface InterpreterResult {
  /** Every event, in order (empty when keepHistory is false). */
  history: Op[];
  invocations: number;
  ok: number;
  fail: number;
  info: number;
  /** Whether the run was stopped by its signal. */
  interrupted: boolean;
  elapsedNs: number;
}

/** Dispatches between two yields to the event loop. */
const BATCH = 512;
/** How often a pending generator with nothing in flight and no wake-up time is asked again. */
const IDLE_POLL_NS = 10e6;
const NS_PER_MS = 1e6;

/**
 * Runs the generator to exhaustion (or until aborted) and resolves with the history. Rejects
 * with a UsageError for bad options, or with the error of a generator or onEvent that threw
 * (after the ops in flight have completed).
 */
export async function runInterpreter(opts: InterpreterOptions): Promise<InterpreterResult> {
  return new Interpreter(opts).run();
}

function describeError(e: unknown): unknown {
  if (e instanceof Error) return e.message;
  return e;
}

function isCompletion(c: unknown): c is Completion {
  if (typeof c !== 'object' || c === null) return false;
  const t = (c as Completion).type;
  return t === 'ok' || t === 'fail' || t === 'info';
}

class Interpreter implements WorkerCallbacks {
  readonly #opts: InterpreterOptions;
  readonly #test: GenTest;
  readonly #table: ThreadTable;
  readonly #workers: Worker[];
  readonly #rng;
  readonly #timeoutNs: number;
  readonly #keep: boolean;
  readonly #history: Op[] = [];
  readonly #onEvent: ((op: Op) => void) | undefined;
  #now!: () => number;
  #lastTime = 0;
  #gen: Generator;
  #index = 0;
  #invocations = 0;
  #counts = { ok: 0, fail: 0, info: 0 };
  #inFlight = 0;
  #exhausted = false;
  #stopping = false;
  #error: unknown = undefined;
  #done = false;
  #inPump = false;
  #sinceYield = 0;
  #yieldQueued = false;
  #wakeTimer: NodeJS.Timeout | null = null;
  #wakeAt = Infinity;
  #timeoutTimer: NodeJS.Timeout | null = null;
  #timeoutAt = Infinity;
  #progressTimer: NodeJS.Timeout | null = null;
  #resolve!: (r: InterpreterResult) => void;
  #reject!: (e: unknown) => void;
  readonly #onAbort = (): void => this.#stop();

  constructor(opts: InterpreterOptions) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) throw new UsageError(`concurrency must be a positive integer, got ${opts.concurrency}`);
    const nodes = opts.context.cluster.nodes.map((n) => n.name);
    if (nodes.length === 0) throw new UsageError('the interpreter needs at least one node');
    if (!(opts.opTimeoutMs > 0)) throw new UsageError(`opTimeoutMs must be positive, got ${opts.opTimeoutMs}`);
    this.#opts = opts;
    this.#test = { ...opts.context.test };
    this.#table = new ThreadTable(opts.concurrency);
    this.#workers = this.#table.allThreads.map(
      (t) => new Worker(t, t === 'nemesis' ? undefined : nodes[t % nodes.length], this),
    );
    this.#rng = makeRng(opts.seed);
    this.#timeoutNs = opts.opTimeoutMs * NS_PER_MS;
    this.#keep = opts.keepHistory ?? true;
    this.#onEvent = opts.onEvent;
    this.#gen = opts.generator;
  }

  run(): Promise<InterpreterResult> {
    const result = new Promise<InterpreterResult>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    const clock = this.#opts.clock ?? process.hrtime.bigint;
    const start = clock();
    this.#now = typeof start === 'bigint' ? () => Number((clock() as bigint) - start) : () => (clock() as number) - start;
    if (this.#opts.onProgress) {
      this.#progressTimer = setInterval(() => this.#progress(), this.#opts.progressIntervalMs ?? 1000);
      this.#progressTimer.unref();
    }
    const signal = this.#opts.signal;
    if (signal?.aborted) this.#stopping = true;
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#pump();
    return result;
  }

  /** Current time in ns since the start, never earlier than a time already recorded. */
  #time(): number {
    const t = this.#now();
    if (t > this.#lastTime) this.#lastTime = t;
    return this.#lastTime;
  }

  /** Asks the generator for ops and dispatches those due now, while threads are free. */
  #pump(): void {
    if (this.#inPump || this.#done) return;
    this.#inPump = true;
    try {
      while (!this.#stopping && !this.#exhausted && !this.#yieldQueued) {
        if (this.#table.busyCount === this.#table.allThreads.length) break; // wait for a completion
        const now = this.#time();
        let r: GenResult;
        try {
          r = this.#gen.op(this.#test, this.#table.context(now, this.#rng));
        } catch (e) {
          this.#fail(e);
          break;
        }
        if (r === null) {
          this.#exhausted = true;
          break;
        }
        if (r.op === 'pending') {
          this.#gen = r.gen;
          if (r.wakeAt !== undefined) this.#armWake(r.wakeAt);
          else if (this.#inFlight === 0) this.#armWake(now + IDLE_POLL_NS);
          break;
        }
        if (r.op.time > now) {
          this.#armWake(r.op.time);
          break;
        }
        this.#dispatch(r.op, r.gen, now);
        if (++this.#sinceYield >= BATCH) this.#queueYield();
      }
    } finally {
      this.#inPump = false;
    }
    this.#maybeFinish();
  }

  #queueYield(): void {
    this.#yieldQueued = true;
    setImmediate(() => {
      this.#yieldQueued = false;
      this.#sinceYield = 0;
      this.#pump();
    });
  }

  #armWake(at: number): void {
    if (this.#wakeTimer !== null) {
      if (this.#wakeAt <= at) return;
      clearTimeout(this.#wakeTimer);
    }
    this.#wakeAt = at;
    this.#wakeTimer = setTimeout(() => {
      this.#wakeTimer = null;
      this.#wakeAt = Infinity;
      this.#pump();
    }, Math.max(0, (at - this.#now()) / NS_PER_MS));
  }

  #armTimeout(at: number): void {
    if (this.#timeoutTimer !== null) {
      if (this.#timeoutAt <= at) return;
      clearTimeout(this.#timeoutTimer);
    }
    this.#timeoutAt = at;
    this.#timeoutTimer = setTimeout(() => this.#expire(), Math.max(0, (at - this.#now()) / NS_PER_MS) + 1);
  }

  /** Completes every op past its deadline, then re-arms for the next deadline. */
  #expire(): void {
    this.#timeoutTimer = null;
    this.#timeoutAt = Infinity;
    const now = this.#time();
    let next = Infinity;
    for (const w of this.#workers) {
      if (w.invoke === null) continue;
      if (w.deadline <= now) {
        const sent = w.sent;
        w.abandon();
        const error = this.#stopping ? 'interrupted' : sent ? 'timeout' : 'timeout opening client';
        this.#complete(w, sent ? 'info' : 'fail', undefined, error);
      } else if (w.deadline < next) {
        next = w.deadline;
      }
    }
    if (next !== Infinity) this.#armTimeout(next);
  }

  #emit(op: Op): void {
    if (this.#keep) this.#history.push(op);
    if (this.#onEvent === undefined) return;
    try {
      this.#onEvent(op);
    } catch (e) {
      this.#fail(e);
    }
  }

  #dispatch(inv: Invocation, next: Generator, now: number): void {
    let thread;
    try {
      thread = this.#table.dispatchThread(inv.process, inv.f);
    } catch (e) {
      this.#fail(e);
      return;
    }
    this.#table.acquire(thread);
    const w = this.#workers[this.#table.slot(thread)]!;
    const op: Op = { index: this.#index++, time: now, process: inv.process, type: 'invoke', f: inv.f, value: inv.value };
    if (inv.phase !== undefined) op.phase = inv.phase;
    if (w.node !== undefined) op.node = w.node;
    this.#invocations++;
    this.#inFlight++;
    w.invoke = op;
    w.deadline = now + this.#timeoutNs;
    w.sent = false;
    this.#armTimeout(w.deadline);
    this.#emit(op);
    this.#update(next, op, now);
    if (thread === 'nemesis') this.#sendToNemesis(w, op);
    else if (w.client !== null && w.clientProcess === op.process) this.#send(w, w.client, op);
    else this.#openThenSend(w, op);
  }

  #update(gen: Generator, event: Op, now: number): void {
    if (this.#stopping) return;
    try {
      this.#gen = gen.update(this.#test, this.#table.context(now, this.#rng), event);
    } catch (e) {
      this.#fail(e);
    }
  }

  #sendToNemesis(w: Worker, op: Op): void {
    const nemesis = this.#opts.nemesis;
    if (nemesis === null) {
      this.#complete(w, 'fail', undefined, 'no nemesis');
      return;
    }
    w.sent = true;
    let p: unknown;
    try {
      p = nemesis.invoke(this.#opts.context, { f: op.f, value: op.value }, { signal: w.controller.signal });
    } catch (e) {
      this.#complete(w, 'info', undefined, describeError(e));
      return;
    }
    this.#await(w, p);
  }

  #openThenSend(w: Worker, op: Op): void {
    if (w.client !== null) w.dropClient();
    let opened: Client | Promise<Client>;
    try {
      opened = this.#opts.clientFactory.open(nodeContext(this.#opts.context, w.node!));
    } catch (e) {
      this.#complete(w, 'fail', undefined, `cannot open client: ${String(describeError(e))}`);
      return;
    }
    if (!isThenable<Client>(opened)) {
      this.#adopt(w, opened, op);
      return;
    }
    const token = w.token;
    opened.then(
      (client) => {
        if (w.token === token && !this.#done) this.#adopt(w, client, op);
        else void closeQuietly(client);
      },
      (e: unknown) => {
        if (w.token === token) this.#complete(w, 'fail', undefined, `cannot open client: ${String(describeError(e))}`);
      },
    );
  }

  #adopt(w: Worker, client: Client, op: Op): void {
    w.client = client;
    w.clientProcess = op.process;
    this.#send(w, client, op);
  }

  #send(w: Worker, client: Client, op: Op): void {
    w.sent = true;
    let p: unknown;
    try {
      p = client.invoke({ process: op.process as number, f: op.f, value: op.value }, { signal: w.controller.signal });
    } catch (e) {
      this.#complete(w, 'info', undefined, describeError(e));
      return;
    }
    this.#await(w, p);
  }

  #await(w: Worker, p: unknown): void {
    if (isThenable<Completion>(p)) p.then(w.onCompleted, w.onThrew);
    else this.completed(w, p);
  }

  completed(w: Worker, c: unknown): void {
    if (isCompletion(c)) this.#complete(w, c.type, c.value, c.error);
    else this.#complete(w, 'info', undefined, `invalid completion ${JSON.stringify(c)} (expected {type: "ok" | "fail" | "info"})`);
  }

  threw(w: Worker, e: unknown): void {
    this.#complete(w, 'info', undefined, describeError(e));
  }

  #complete(w: Worker, type: CompletionType, value: unknown, error: unknown): void {
    const inv = w.invoke;
    if (inv === null) return;
    w.invoke = null;
    this.#inFlight--;
    const now = this.#time();
    this.#table.release(w.thread, type === 'info');
    const op: Op = { index: this.#index++, time: now, process: inv.process, type, f: inv.f, value: value === undefined ? inv.value : value };
    if (inv['phase'] !== undefined) op.phase = inv['phase'];
    if (w.node !== undefined) op.node = w.node;
    if (error !== undefined) op.error = describeError(error);
    this.#counts[type]++;
    if (type === 'info' && w.thread !== 'nemesis') w.dropClient();
    this.#emit(op);
    this.#update(this.#gen, op, now);
    if (!this.#yieldQueued) this.#pump();
    else this.#maybeFinish();
  }

  #stop(): void {
    this.#stopping = true;
    this.#maybeFinish();
  }

  #fail(e: unknown): void {
    this.#error ??= e;
    this.#stop();
  }

  #maybeFinish(): void {
    if (this.#done || this.#inFlight > 0 || !(this.#stopping || this.#exhausted)) return;
    this.#done = true;
    void this.#finish();
  }

  async #finish(): Promise<void> {
    if (this.#wakeTimer !== null) clearTimeout(this.#wakeTimer);
    if (this.#timeoutTimer !== null) clearTimeout(this.#timeoutTimer);
    if (this.#progressTimer !== null) clearInterval(this.#progressTimer);
    this.#opts.signal?.removeEventListener('abort', this.#onAbort);
    await this.#closeClients();
    this.#progress();
    if (this.#error !== undefined) {
      this.#reject(this.#error);
      return;
    }
    this.#resolve({
      history: this.#history,
      invocations: this.#invocations,
      ok: this.#counts.ok,
      fail: this.#counts.fail,
      info: this.#counts.info,
      interrupted: this.#opts.signal?.aborted ?? false,
      elapsedNs: this.#now(),
    });
  }

  /** Closes every open client, waiting at most one op timeout for them. */
  async #closeClients(): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const w of this.#workers) {
      if (w.client !== null) closing.push(closeQuietly(w.client));
      w.client = null;
    }
    if (closing.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#opts.opTimeoutMs);
    });
    await Promise.race([Promise.all(closing), limit]);
    clearTimeout(timer);
  }

  #progress(): void {
    this.#opts.onProgress?.({
      invocations: this.#invocations,
      completions: this.#counts.ok + this.#counts.fail + this.#counts.info,
      inFlight: this.#inFlight,
      elapsedNs: this.#now(),
    });
  }
}
