// Property tests: generated linearizable histories pass, breaking mutations are flagged, and the
// checker (with and without fast paths) agrees with a brute-force reference on small histories.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/core/op.ts';
import { bruteForceLinearizable } from './brute-force.ts';
import { linearizable } from './checker.ts';
import { createModel } from './models/index.ts';
import { EXECUTORS, rand, simulate } from './simulate.ts';
import { uniqueRegisterCheck } from './unique-register.ts';
import { prepareHistory } from './prepare.ts';

const MODEL_NAMES = Object.keys(EXECUTORS);

async function verdict(model: string, init: unknown, history: Op[], fastPath = true): Promise<unknown> {
  const r = await linearizable({ model, init, threads: 0, fastPath }).check(history, {});
  return r.valid;
}

/** A random history with arbitrary (often wrong) results: ops from the executor, results garbled. */
function randomHistory(model: string, seed: number, ops: number): Op[] {
  const ex = EXECUTORS[model]!;
  const r = rand(seed);
  const h = simulate(ex, r, ops, 3, 0.1);
  // Replace ok completions' values with another op's observation of the same f, and swap some
  // ok / fail completions, so results are plausible but often inconsistent.
  const seen = new Map<string, unknown[]>();
  for (const op of h) if (op.type === 'ok') seen.set(op.f, [...(seen.get(op.f) ?? []), op.value]);
  return h.map((op) => {
    const x = r.next();
    if (op.type === 'ok' && x < 0.4) return { ...op, value: r.pick(seen.get(op.f)!) };
    if ((op.type === 'ok' || op.type === 'fail') && x > 0.85) return { ...op, type: op.type === 'ok' ? 'fail' : 'ok' };
    return op;
  });
}

// A FIFO queue with many crashed enqueues has exponentially many possible contents (every
// subset, in every order), so its generated histories are kept smaller.
const SIZES: Record<string, { ops: number; threads: number; crash: number }> = { 'fifo-queue': { ops: 20, threads: 4, crash: 0.05 } };

describe('generated from a sequential execution', () => {
  it.each(MODEL_NAMES)('%s histories are linearizable', async (name) => {
    const ex = EXECUTORS[name]!;
    const size = SIZES[name] ?? { ops: 40, threads: 5, crash: 0.15 };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: size.ops }), fc.integer({ min: 1, max: size.threads }), async (seed, ops, threads) => {
        const h = simulate(ex, rand(seed), ops, threads, size.crash);
        expect(await verdict(ex.model, ex.init, h)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

describe('single mutations that break a history are flagged', () => {
  it('a cas-register read of a value never written', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
        const r = rand(seed);
        const h = simulate(EXECUTORS['cas-register']!, r, 30, 4, 0.1);
        const reads = h.filter((op) => op.type === 'ok' && op.f === 'read');
        fc.pre(reads.length > 0);
        const victim = r.pick(reads).index;
        const mutated = h.map((op) => (op.index === victim ? { ...op, value: 99 } : op));
        expect(await verdict('cas-register', 0, mutated)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('a kv get returning text nobody wrote', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
        const r = rand(seed);
        const h = simulate(EXECUTORS['kv']!, r, 30, 4, 0);
        const gets = h.filter((op) => op.type === 'ok' && op.f === 'get' && (op.value as [string, string])[1].length > 0);
        fc.pre(gets.length > 0);
        const victim = r.pick(gets);
        const [k, v] = victim.value as [string, string];
        const mutated = h.map((op) => (op.index === victim.index ? { ...op, value: [k, `${v}z`] } : op));
        expect(await verdict('kv', '', mutated)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('mutations agree with brute force', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...MODEL_NAMES), fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (name, seed) => {
        const ex = EXECUTORS[name]!;
        const r = rand(seed);
        const h = simulate(ex, r, 7, 3, 0.15);
        const oks = h.filter((op) => op.type === 'ok');
        fc.pre(oks.length > 0);
        const victim = r.pick(oks).index;
        const other = r.pick(oks);
        const mutated = h.map((op) => (op.index === victim && op.f === other.f ? { ...op, value: other.value } : op));
        const expected = bruteForceLinearizable(createModel(ex.model, ex.init), mutated);
        expect(await verdict(ex.model, ex.init, mutated)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('agreement with brute force on small histories', () => {
  it.each(MODEL_NAMES)('%s', async (name) => {
    const ex = EXECUTORS[name]!;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 8 }), fc.boolean(), async (seed, ops, fastPath) => {
        const h = randomHistory(name, seed, ops);
        const expected = bruteForceLinearizable(createModel(ex.model, ex.init), h);
        expect(await verdict(ex.model, ex.init, h, fastPath)).toBe(expected);
      }),
      { numRuns: 150 },
    );
  });
});

describe('unique-value register fast path', () => {
  /** Register histories whose writes are unique: random intervals, results from other reads. */
  function uniqueWrites(seed: number, ops: number, crash = 0.15): Op[] {
    const r = rand(seed);
    let nextValue = 1;
    const ex = { ...EXECUTORS['register']!, op: (rr: typeof r) => (rr.next() < 0.5 ? { f: 'read', value: null } : { f: 'write', value: nextValue++ }) };
    const h = simulate(ex, r, ops, 4, crash);
    const written = [0, ...h.filter((o) => o.type === 'invoke' && o.f === 'write').map((o) => o.value)];
    return h.map((op) => (op.type === 'ok' && op.f === 'read' && r.next() < 0.3 ? { ...op, value: r.pick(written) } : op));
  }

  it('applies, and agrees with the search', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 30 }), async (seed, ops) => {
        const h = uniqueWrites(seed, ops);
        const model = createModel('register', 0);
        const p = prepareHistory(h, model).partitions[0];
        fc.pre(p !== undefined);
        const fast = uniqueRegisterCheck(model, p!);
        expect(fast).toBeDefined();
        const slow = await verdict('register', 0, h, false);
        expect(fast!.valid).toBe(slow);
      }),
      { numRuns: 400 },
    );
  });

  it('agrees with the search on long histories (configuration windows over several words)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (seed) => {
        const h = uniqueWrites(seed, 150, 0.3);
        const fast = await verdict('register', 0, h, true);
        expect(await verdict('register', 0, h, false)).toBe(fast);
      }),
      { numRuns: 60 },
    );
  });

  it('agrees with brute force on small histories', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 8 }), async (seed, ops) => {
        const h = uniqueWrites(seed, ops);
        expect(await verdict('register', 0, h, true)).toBe(bruteForceLinearizable(createModel('register', 0), h));
      }),
      { numRuns: 300 },
    );
  });
});

describe('kv witness fast path', () => {
  /** kv histories whose puts and appends write unique tokens, some gets garbled. */
  function tokenKv(seed: number, ops: number, garble: number): Op[] {
    const r = rand(seed);
    let next = 0;
    const ex = { ...EXECUTORS['kv']!, op: (rr: typeof r) => ({ f: rr.pick(['get', 'put', 'append', 'append', 'get']), value: [rr.pick(['a', 'b']), `t${next++};`] }) };
    const h = simulate(ex, r, ops, 1 + r.int(5), 0.1);
    const gets = h.filter((op) => op.type === 'ok' && op.f === 'get').map((op) => op.value);
    return h.map((op) => (op.type === 'ok' && op.f === 'get' && r.next() < garble ? { ...op, value: r.pick(gets) } : op));
  }

  it('agrees with the search', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 30 }), async (seed, ops) => {
        const h = tokenKv(seed, ops, 0.2);
        expect(await verdict('kv', '', h, true)).toBe(await verdict('kv', '', h, false));
      }),
      { numRuns: 300 },
    );
  });

  it('decides most generated partitions without searching', async () => {
    let partitions = 0;
    let witnessed = 0;
    for (let seed = 0; seed < 200; seed++) {
      const r = await linearizable({ model: 'kv', threads: 0 }).check(tokenKv(seed, 40, 0), {});
      expect(r.valid).toBe(true);
      for (const p of r.partitions as { method: string }[]) {
        partitions++;
        if (p.method === 'kv-witness') witnessed++;
      }
    }
    expect(witnessed / partitions).toBeGreaterThan(0.9);
  });
});
