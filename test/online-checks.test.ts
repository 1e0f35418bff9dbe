// Checking op by op gives the whole-history result: for many seeds, histories simulated against
// the in-process stores (correct and flawed) are fed op by op to the checkers' sessions
// (checkers/online.ts) and compared with compose(...).check on the same history, for the
// incremental checkers and for those that take the whole history at the end: the same results,
// except the linearizable checker's evidence (a whole-history check may take a fast path), where
// the verdicts agree. A violation reported during the feed is one the final result holds, and
// every checker but availability (which only measures) reports one on the flawed stores.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Checker } from '../src/core/checker.ts';
import type { OpTemplate, Rng } from '../src/core/generator.ts';
import type { Op } from '../src/core/op.ts';
import { makeRng } from '../src/generator/rng.ts';
import { bankStore } from '../src/inprocess/bank-store.ts';
import { counterStore } from '../src/inprocess/counter-store.ts';
import { keyedSetStore } from '../src/inprocess/keyed-set-store.ts';
import { queueStore } from '../src/inprocess/queue-store.ts';
import { registerStore } from '../src/inprocess/register-store.ts';
import { setStore } from '../src/inprocess/set-store.ts';
import { runClients } from '../src/inprocess/client-histories.ts';
import type { InProcessStore } from '../src/inprocess/model-node.ts';
import { uniqueIdsStore } from '../src/inprocess/unique-ids-store.ts';
import { availability } from '../checkers/availability/availability.ts';
import { bank } from '../checkers/bank/bank.ts';
import { compose } from '../checkers/compose.ts';
import { counter } from '../checkers/counter/counter.ts';
import { linearizable } from '../checkers/linearizable/index.ts';
import { beginChecks } from '../checkers/online.ts';
import { queue } from '../checkers/queue/queue.ts';
import { sessionGuarantees } from '../checkers/session/session-guarantees.ts';
import { setFull } from '../checkers/set/set-full.ts';
import { staleReads } from '../checkers/stale-reads/stale-reads.ts';
import { uniqueIds } from '../checkers/unique-ids/unique-ids.ts';
import { stats } from '../checkers/stats.ts';
import { bankOp, DEFAULT_ACCOUNTS } from '../workloads/bank/index.ts';
import { counterOp } from '../workloads/counter/index.ts';
import { queueFinalOps, queueOp, queueRetry } from '../workloads/queue/index.ts';
import { registerOp } from '../workloads/register/index.ts';
import { sessionOp } from '../workloads/session/index.ts';
import { setOp } from '../workloads/set/index.ts';
import { uniqueIdsOp } from '../workloads/unique-ids/index.ts';

const NODES = ['n1', 'n2', 'n3'];

interface Case {
  name: string;
  checkers: () => Checker[];
  store: (flawed: boolean) => InProcessStore;
  nextOp: (rng: Rng, n: number) => OpTemplate;
  retry?: (op: Op) => OpTemplate | null;
  final?: readonly OpTemplate[];
  /** Adds partition windows (nemesis ops) between the client ops. */
  faults?: boolean;
}

const CASES: Case[] = [
  { name: 'counter', checkers: () => [counter(), stats()], store: (f) => counterStore(f ? 'lost-increments' : undefined), nextOp: (rng) => counterOp(rng, { pn: true }) },
  { name: 'unique-ids', checkers: () => [uniqueIds()], store: (f) => uniqueIdsStore(f ? 'node-local-counter' : undefined), nextOp: () => uniqueIdsOp() },
  { name: 'availability', checkers: () => [availability({ minAvailability: 0.9 })], store: () => counterStore(), nextOp: (rng) => counterOp(rng), faults: true },
  {
    name: 'register',
    checkers: () => [linearizable({ model: 'cas-register', init: null, threads: 0 }), staleReads()],
    store: (f) => registerStore(f ? 'follower-reads' : undefined),
    nextOp: (rng, n) => registerOp(rng, n),
  },
  { name: 'bank', checkers: () => [bank({ accounts: DEFAULT_ACCOUNTS, total: 50 })], store: (f) => bankStore(DEFAULT_ACCOUNTS, 10, f ? 'torn-transfers' : undefined), nextOp: (rng) => bankOp(rng) },
  { name: 'set-full', checkers: () => [setFull({ linearizable: true })], store: (f) => setStore(f ? 'lossy' : undefined), nextOp: (rng, n) => setOp(rng, n, { keys: 3 }) },
  {
    name: 'queue',
    checkers: () => [queue({ delivery: 'exactly-once' })],
    store: (f) => queueStore(f ? { flaw: 'redeliver' } : { dedupe: true }),
    nextOp: (rng, n) => queueOp(rng, n, { idempotencyKeys: true }),
    retry: (op) => queueRetry(op),
    final: queueFinalOps,
  },
  { name: 'session', checkers: () => [sessionGuarantees()], store: (f) => keyedSetStore(f ? 'async-replicas' : undefined), nextOp: (rng, n) => sessionOp(rng, n) },
];

/** Inserts start/stop-partition pairs at random points. */
function withFaults(h: readonly Op[], rng: Rng): Op[] {
  const out: Op[] = [];
  let on = false;
  for (const op of h) {
    if (rng.next() < 0.05) {
      const f = on ? 'stop-partition' : 'start-partition';
      on = !on;
      for (const type of ['invoke', 'ok'] as const) out.push({ index: out.length, time: op.time, process: 'nemesis', type, f, value: null });
    }
    out.push({ ...op, index: out.length });
  }
  return out;
}

function history(c: Case, seed: number, flawed: boolean): Op[] {
  const rng = makeRng(seed);
  const h = runClients({
    seed,
    store: c.store(flawed),
    threads: 1 + rng.int(8),
    nodes: NODES,
    switchNodeRate: 0.2,
    infoRate: rng.next() * 0.1,
    ops: 20 + rng.int(200),
    nextOp: c.nextOp,
    ...(c.retry ? { retry: c.retry } : {}),
    ...(c.final ? { final: c.final } : {}),
  });
  return c.faults ? withFaults(h, rng) : [...h];
}

/** A result without its timings, which differ from run to run. */
function untimed(r: unknown): unknown {
  return JSON.parse(JSON.stringify(r, (k, v: unknown) => (k === 'elapsedMs' || k === 'ms' ? undefined : v)));
}

describe('checks fed op by op', () => {
  it.each(CASES)('$name: the same result as the whole-history check, for correct and flawed stores', async (c) => {
    let violations = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), async (seed, flawed) => {
        const h = history(c, seed, flawed);
        const offline = await compose(c.checkers()).check(h, {});
        const session = beginChecks(c.checkers(), {});
        let definite = false;
        for (const op of h) {
          session.feed(op);
          // Once definite, a violation stays definite.
          if (definite) expect(session.violated).toBe(true);
          definite = session.violated;
        }
        const online = await session.finish();
        expect(online.valid).toBe(offline.valid);
        for (const [name, r] of Object.entries(offline.checkers)) {
          if (name === 'linearizable') expect(online.checkers[name]!.valid).toBe(r.valid);
          else expect(untimed(online.checkers[name])).toEqual(untimed(r));
        }
        if (definite) {
          expect(online.valid).toBe(false);
          for (const name of session.violations) expect(online.checkers[name]!.valid).toBe(false);
          violations++;
        }
      }),
      { numRuns: 40 },
    );
    // The incremental checkers that can tell early do so on the flawed stores.
    if (c.name !== 'availability') expect(violations).toBeGreaterThan(0);
  });

  it('a checker that rejects an op mid-feed yields unknown, and the others still finish', async () => {
    const session = beginChecks([counter(), uniqueIds()], {});
    session.feed({ index: 0, time: 0, process: 0, type: 'invoke', f: 'add', value: 'x' });
    session.feed({ index: 1, time: 1, process: 0, type: 'ok', f: 'add', value: 'x' });
    const r = await session.finish();
    expect(r.checkers['counter']).toMatchObject({ valid: 'unknown', badInput: true });
    expect(r.checkers['unique-ids']!.valid).toBe(true);
  });
});
