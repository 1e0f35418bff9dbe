// Histories of clients against in-process stores in the simulator: well formed and the same for
// the same seed, info ops with fresh processes and retries, final ops after everything settled,
// replication that lags and converges, and the real-time clients the runner uses.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { validateHistory } from '../history/validate.ts';
import { nodeContext } from '../core/context.ts';
import type { Op } from '../core/op.ts';
import { runContext } from '../runner/context.ts';
import { inProcessCluster } from '../providers/index.ts';
import { runClients } from './client-histories.ts';
import { HistoryBuilder } from './history-builder.ts';
import { counterStore } from './counter-store.ts';
import { inProcessClients } from './inprocess-clients.ts';
import { modelStore } from './model-node.ts';
import { registerStore } from './register-store.ts';
import { linearizable } from '../../checkers/linearizable/index.ts';

/** A store that counts the ops applied on the primary and answers with the count. */
const counting = () => modelStore<{ n: number }>({ init: () => ({ n: 0 }), apply: (s) => ({ type: 'ok', value: ++s.n }) });

const run = (seed: number, infoRate = 0.2) =>
  runClients({ seed, store: counting(), threads: 3, nodes: ['n1', 'n2'], switchNodeRate: 0.5, infoRate, ops: 100, nextOp: (_rng, n) => ({ f: 'inc', value: n }), retry: (op) => (op.value === 7 ? { f: 'inc', value: 'retry-7' } : null), final: [{ f: 'read' }] });

describe('runClients', () => {
  it('property: histories are well formed, and the same seed gives the same history', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const h = run(seed);
        expect(validateHistory(h)).toEqual([]);
        expect(run(seed)).toEqual(h);
      }),
      { numRuns: 25 },
    );
  });

  it('gives a thread a fresh process after info and retries as asked', () => {
    let sawRetry = false;
    for (let seed = 0; seed < 40 && !sawRetry; seed++) {
      const h = run(seed, 0.5);
      const infos = h.filter((op) => op.type === 'info');
      expect(infos.length).toBeGreaterThan(0);
      for (const info of infos) expect(h.some((op) => op.index > info.index && op.process === info.process && op.type === 'invoke')).toBe(false);
      const seven = h.find((op) => op.type === 'info' && op.value === 7);
      if (seven) sawRetry = h.some((op: Op) => op.type === 'invoke' && op.value === 'retry-7');
    }
    expect(sawRetry).toBe(true);
  });

  it('runs the final ops last, on the nodes given, after every main op', () => {
    const h = run(1, 0);
    expect(h.slice(-2).map((op) => [op.type, op.f, op.value])).toEqual([['invoke', 'read', null], ['ok', 'read', 101]]);
    expect(new Set(h.map((op) => op.node))).toEqual(new Set(['n1', 'n2']));
    expect(h.filter((op) => op.type === 'invoke' && op.f === 'inc')).toHaveLength(100);
  });

  it('keeps one copy linearizable and lets follower reads fall behind it', async () => {
    const history = (store: ReturnType<typeof registerStore>) =>
      runClients({ seed: 3, store, threads: 4, nodes: ['n1', 'n2', 'n3'], switchNodeRate: 0.3, infoRate: 0.05, ops: 300, nextOp: (rng, n) => (rng.next() < 0.5 ? { f: 'read', value: null } : { f: 'write', value: n }) });
    const checker = linearizable({ model: 'cas-register', init: null });
    expect((await checker.check(history(registerStore()), {})).valid).toBe(true);
    expect((await checker.check(history(registerStore('follower-reads')), {})).valid).toBe(false);
  });
});

describe('inProcessClients', () => {
  it("serves the runner's clients from the simulator in real time", async () => {
    const factory = inProcessClients(counterStore(), { seed: 1, nodes: ['n1', 'n2'] });
    const ctx = runContext({ cluster: inProcessCluster(['n1', 'n2']) });
    await factory.setup!(ctx);
    const client = await factory.open(nodeContext(ctx, 'n2'));
    const signal = new AbortController().signal;
    expect(await client.invoke({ process: 0, f: 'add', value: 2 }, { signal })).toEqual({ type: 'ok' });
    expect(await client.invoke({ process: 0, f: 'add', value: 3 }, { signal })).toEqual({ type: 'ok' });
    expect(await client.invoke({ process: 0, f: 'read', value: null }, { signal })).toEqual({ type: 'ok', value: 5 });
    await factory.teardown!(ctx);
  });
});

describe('HistoryBuilder', () => {
  it('pairs completions with invocations and spaces events 1 ms apart', () => {
    const h = new HistoryBuilder().invoke(0, 'write', 1).wait(5).ok(0).op(1, 'read', null, 'ok', 1).build();
    expect(h.map((op) => [op.index, op.time / 1e6, op.type, op.f, op.value])).toEqual([
      [0, 1, 'invoke', 'write', 1],
      [1, 7, 'ok', 'write', 1],
      [2, 8, 'invoke', 'read', null],
      [3, 9, 'ok', 'read', 1],
    ]);
    expect(() => new HistoryBuilder().ok(0)).toThrow(/no open invocation/);
  });
});
