// Tests of the interpreter with in-memory clients and nemeses: outcomes, timeouts, crashes, open failures, abort, routing.
import { describe, expect, it } from 'vitest';
import type { Client, ClientFactory, ClientOp, Completion } from '../core/client.ts';
import type { Generator } from '../core/generator.ts';
import type { Nemesis, NemesisOp } from '../core/nemesis.ts';
import type { Op } from '../core/op.ts';
import { UsageError } from '../core/errors.ts';
import { validateHistory } from '../history/validate.ts';
import { clients, clientsAndNemesis, limit, nemesis as nemesisOnly, phases, repeat, sleep } from '../generator/index.ts';
import { runInterpreter, type InterpreterOptions, type InterpreterProgress } from './interpreter.ts';
import { runContext } from './context.ts';

/** A run over named nodes with no remotes: what the interpreter needs of the cluster. */
const onNodes = (nodes: readonly string[]) => runContext({ cluster: { nodes: nodes.map((name) => ({ name, address: name })), remote: () => { throw new Error('no remotes'); } } });

type Behaviour = (op: ClientOp, signal: AbortSignal) => Promise<Completion> | Completion;

/** A client factory whose clients answer with `behaviour`, recording what happens to them. */
function fakeClients(behaviour: Behaviour) {
  const log = { opened: [] as string[], closed: 0, ops: [] as Array<ClientOp & { node: string }> };
  const factory: ClientFactory = {
    open(ctx) {
      const node = ctx.node.name;
      log.opened.push(node);
      const client: Client = {
        invoke: async (op, { signal }) => {
          log.ops.push({ ...op, node });
          return behaviour(op, signal);
        },
        close: () => {
          log.closed++;
        },
      };
      return client;
    },
  };
  return { factory, log };
}

function options(generator: Generator, factory: ClientFactory, extra: Partial<InterpreterOptions> = {}): InterpreterOptions {
  return { context: onNodes(['n1', 'n2', 'n3']), concurrency: 3, generator, clientFactory: factory, nemesis: null, opTimeoutMs: 5000, seed: 1, ...extra };
}

const ok: Behaviour = () => ({ type: 'ok' });
const never = new Promise<Completion>(() => {});
const delayMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const completions = (h: readonly Op[]): Op[] => h.filter((o) => o.type !== 'invoke');

describe('runInterpreter', () => {
  it('runs every op, calling onEvent in order with dense indices, and returns the same history', async () => {
    const { factory } = fakeClients((op) => ({ type: 'ok', value: { echoed: op.value } }));
    const events: Op[] = [];
    let n = 0;
    const r = await runInterpreter(options(clients(limit(500, repeat(() => ({ f: 'write', value: n++ })))), factory, { onEvent: (op) => events.push(op) }));
    expect(r.history).toHaveLength(1000);
    expect(events).toEqual(r.history);
    expect(r.history.map((o) => o.index)).toEqual([...Array(1000).keys()]);
    expect(validateHistory(r.history)).toEqual([]);
    expect(r).toMatchObject({ invocations: 500, ok: 500, fail: 0, info: 0, interrupted: false });
    const inv = r.history.find((o) => o.type === 'invoke' && o.value === 7)!;
    const done = r.history.find((o) => o.type === 'ok' && o.process === inv.process && o.index > inv.index)!;
    expect(done.value).toEqual({ echoed: 7 });
  });

  it('spreads ops over every client thread when clients answer at once', async () => {
    const { factory } = fakeClients(ok);
    const r = await runInterpreter(options(clients(limit(2000, repeat({ f: 'w' }))), factory, { concurrency: 10 }));
    const perThread = new Map<unknown, number>();
    for (const op of r.history) if (op.type === 'invoke') perThread.set(op.process, (perThread.get(op.process) ?? 0) + 1);
    expect(perThread.size).toBe(10);
    for (const n of perThread.values()) expect(n).toBeGreaterThan(50);
  });

  it('assigns client thread i to node i % nodes.length', async () => {
    const { factory, log } = fakeClients(ok);
    const r = await runInterpreter(options(clients(limit(200, repeat({ f: 'read' }))), factory, { concurrency: 5, context: onNodes(['a', 'b', 'c']) }));
    expect([...log.opened].sort()).toEqual(['a', 'a', 'b', 'b', 'c']);
    for (const op of r.history) expect(op.node).toBe(['a', 'b', 'c'][(op.process as number) % 3]);
    for (const op of log.ops) expect(op.node).toBe(['a', 'b', 'c'][op.process % 3]);
  });

  it('completes an op that outlives its timeout as info "timeout", ignores its late result, and moves on under a new process', async () => {
    let first = true;
    let lateSettled!: () => void;
    const late = new Promise<void>((r) => (lateSettled = r));
    let firstSignal: AbortSignal | undefined;
    const { factory, log } = fakeClients(async (_op, signal) => {
      if (!first) return { type: 'ok' };
      first = false;
      firstSignal = signal;
      await delayMs(150);
      lateSettled();
      return { type: 'ok', value: 'late' };
    });
    const events: Op[] = [];
    await runInterpreter(options(clients(limit(2, repeat({ f: 'read' }))), factory, { concurrency: 1, opTimeoutMs: 40, onEvent: (op) => events.push(op) }));
    await late;
    await delayMs(5);
    expect(events.map((o) => [o.process, o.type, o.error])).toEqual([
      [0, 'invoke', undefined],
      [0, 'info', 'timeout'],
      [1, 'invoke', undefined],
      [1, 'ok', undefined],
    ]);
    expect(firstSignal?.aborted).toBe(true);
    expect(log.opened).toHaveLength(2);
    expect(log.closed).toBe(2);
  });

  it('records a client that throws as info with the message, then opens a fresh client', async () => {
    let k = 0;
    const { factory, log } = fakeClients(() => {
      k++;
      if (k === 1) throw new Error('connection reset');
      if (k === 2) return Promise.reject(new Error('socket hang up'));
      return { type: 'ok' };
    });
    const r = await runInterpreter(options(clients(limit(3, repeat({ f: 'w' }))), factory, { concurrency: 1 }));
    expect(completions(r.history).map((o) => [o.process, o.type, o.error])).toEqual([
      [0, 'info', 'connection reset'],
      [1, 'info', 'socket hang up'],
      [2, 'ok', undefined],
    ]);
    expect(log.opened).toHaveLength(3);
  });

  it('records an op whose client cannot be opened as fail, keeping the process', async () => {
    let opens = 0;
    const factory: ClientFactory = {
      open() {
        opens++;
        if (opens === 1) throw new Error('refused');
        if (opens === 2) return Promise.reject(new Error('no route'));
        return { invoke: async () => ({ type: 'ok' }), close() {} };
      },
    };
    const r = await runInterpreter(options(clients(limit(3, repeat({ f: 'w' }))), factory, { concurrency: 1 }));
    const done = completions(r.history);
    expect(done.map((o) => [o.process, o.type])).toEqual([
      [0, 'fail'],
      [0, 'fail'],
      [0, 'ok'],
    ]);
    expect(String(done[0]!.error)).toMatch(/cannot open client: refused/);
    expect(String(done[1]!.error)).toMatch(/no route/);
  });

  it('records an invalid completion as info', async () => {
    const { factory } = fakeClients(() => ({ type: 'bogus' }) as unknown as Completion);
    const r = await runInterpreter(options(clients(limit(1, repeat({ f: 'w' }))), factory));
    expect(completions(r.history)[0]).toMatchObject({ type: 'info' });
    expect(String(completions(r.history)[0]!.error)).toMatch(/invalid completion/);
  });

  it('routes nemesis ops to the nemesis (process "nemesis") and client ops to clients', async () => {
    const seen: NemesisOp[] = [];
    const nemesis: Nemesis = {
      name: 'fake',
      fs: ['start-partition', 'stop-partition'],
      invoke: async (_run, op) => {
        seen.push(op);
        return { type: 'info', value: { done: op.f } };
      },
    };
    const { factory, log } = fakeClients(ok);
    const gen = clientsAndNemesis(limit(20, repeat({ f: 'read' })), [{ f: 'start-partition', value: ['n1'] }, { f: 'stop-partition' }]);
    const r = await runInterpreter(options(gen, factory, { nemesis }));
    expect(seen).toEqual([{ f: 'start-partition', value: ['n1'] }, { f: 'stop-partition', value: null }]);
    expect(log.ops.every((o) => o.f === 'read')).toBe(true);
    const faults = r.history.filter((o) => o.f !== 'read');
    expect(faults.map((o) => [o.process, o.type])).toEqual([
      ['nemesis', 'invoke'],
      ['nemesis', 'info'],
      ['nemesis', 'invoke'],
      ['nemesis', 'info'],
    ]);
    expect(faults[1]!.value).toEqual({ done: 'start-partition' });
    expect(validateHistory(r.history)).toEqual([]);
  });

  it('fails nemesis ops when there is no nemesis', async () => {
    const { factory } = fakeClients(ok);
    const r = await runInterpreter(options(nemesisOnly({ f: 'start-kill' }), factory));
    expect(completions(r.history)).toMatchObject([{ process: 'nemesis', type: 'fail', error: 'no nemesis' }]);
  });

  it('stops issuing ops on abort and lets in-flight ops finish', async () => {
    const abort = new AbortController();
    const { factory } = fakeClients(async () => {
      await delayMs(5);
      return { type: 'ok' };
    });
    let abortedAt = -1;
    const r = await runInterpreter(
      options(clients(repeat({ f: 'read' })), factory, {
        signal: abort.signal,
        onEvent: (op) => {
          if (op.index === 20) {
            abortedAt = op.index;
            abort.abort();
          }
        },
      }),
    );
    expect(r.interrupted).toBe(true);
    expect(r.history.filter((o) => o.type === 'invoke').every((o) => o.index <= abortedAt)).toBe(true);
    expect(validateHistory(r.history)).toEqual([]);
    expect(r.history.filter((o) => o.type === 'invoke')).toHaveLength(completions(r.history).length);
    expect(completions(r.history).every((o) => o.type === 'ok')).toBe(true);
  });

  it('completes ops still open at their timeout after an abort as info "interrupted"', async () => {
    const abort = new AbortController();
    const signals: AbortSignal[] = [];
    const { factory } = fakeClients((_op, signal) => {
      signals.push(signal);
      return never;
    });
    const r = await runInterpreter(
      options(clients(repeat({ f: 'read' })), factory, {
        opTimeoutMs: 50,
        signal: abort.signal,
        onEvent: (op) => {
          if (op.index === 2) abort.abort();
        },
      }),
    );
    expect(completions(r.history).map((o) => [o.type, o.error])).toEqual([
      ['info', 'interrupted'],
      ['info', 'interrupted'],
      ['info', 'interrupted'],
    ]);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });

  it('resolves at once when the signal is already aborted', async () => {
    const { factory, log } = fakeClients(ok);
    const r = await runInterpreter(options(clients(repeat({ f: 'read' })), factory, { signal: AbortSignal.abort() }));
    expect(r.history).toEqual([]);
    expect(log.opened).toEqual([]);
  });

  it('waits between phases and through sleeps, and closes every client at the end', async () => {
    const { factory, log } = fakeClients(ok);
    const r = await runInterpreter(options(phases(clients(limit(6, repeat({ f: 'w' }))), sleep(0.02), clients(limit(3, repeat({ f: 'r' })))), factory));
    const lastW = r.history.findLastIndex((o) => o.f === 'w');
    const firstR = r.history.findIndex((o) => o.f === 'r');
    expect(firstR).toBeGreaterThan(lastW);
    expect(r.history.filter((o) => o.f === 'r' && o.type === 'ok')).toHaveLength(3);
    expect(log.closed).toBe(log.opened.length);
  });

  it('rejects with the error of a generator that throws, after in-flight ops complete', async () => {
    let asked = 0;
    const bad: Generator = {
      op: (_t, ctx) => {
        if (++asked > 3) throw new Error('generator bug');
        const thread = ctx.freeThreads.find((t) => t !== 'nemesis');
        if (thread === undefined) return { op: 'pending', gen: bad };
        return { op: { type: 'invoke', f: 'w', value: null, process: ctx.workers.get(thread)!, time: ctx.time }, gen: bad };
      },
      update: () => bad,
    };
    const events: Op[] = [];
    const { factory } = fakeClients(ok);
    await expect(runInterpreter(options(bad, factory, { onEvent: (op) => events.push(op) }))).rejects.toThrow('generator bug');
    expect(validateHistory(events)).toEqual([]);
    expect(events.filter((o) => o.type === 'invoke')).toHaveLength(completions(events).length);
  });

  it('reports progress, the last report matching the totals', async () => {
    const reports: InterpreterProgress[] = [];
    const { factory } = fakeClients(ok);
    await runInterpreter(options(clients(limit(50, repeat({ f: 'w' }))), factory, { onProgress: (p) => reports.push(p) }));
    expect(reports.at(-1)).toMatchObject({ invocations: 50, completions: 50, inFlight: 0 });
  });

  it('takes times from the given clock', async () => {
    let t = 1_000_000n;
    const { factory } = fakeClients(ok);
    const r = await runInterpreter(options(clients(limit(5, repeat({ f: 'w' }))), factory, { clock: () => (t += 10n) }));
    const times = r.history.map((o) => o.time);
    expect(times.every((x) => x > 0 && x % 10 === 0 && x < 1000)).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('rejects bad options with a usage error', async () => {
    const { factory } = fakeClients(ok);
    await expect(runInterpreter(options(clients({ f: 'w' }), factory, { context: onNodes([]) }))).rejects.toThrow(UsageError);
    await expect(runInterpreter(options(clients({ f: 'w' }), factory, { concurrency: 0 }))).rejects.toThrow(/concurrency/);
  });
});
