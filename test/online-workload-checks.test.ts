// The set-full, queue, stale-reads and session checkers fed op by op: on histories simulated
// against correct and flawed in-process stores, a session fed in random chunks (its verdict polled
// after each) ends with the whole-history check's result; a violation it calls definite stays one
// whatever follows: the prefix up to it, its open ops ended info and then the later ops that would
// most plausibly explain it (adds, writes or enqueues of what was read, reads that see everything)
// still checks invalid; and on the flawed stores violations are found before the history ends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IncrementalChecker } from '../src/core/checker.ts';
import type { OpTemplate, Rng } from '../src/core/generator.ts';
import type { History, Op } from '../src/core/op.ts';
import type { CheckResult } from '../src/core/validity.ts';
import { runClients } from '../src/inprocess/client-histories.ts';
import { keyedSetStore } from '../src/inprocess/keyed-set-store.ts';
import type { InProcessStore } from '../src/inprocess/model-node.ts';
import { queueStore } from '../src/inprocess/queue-store.ts';
import { registerStore } from '../src/inprocess/register-store.ts';
import { setStore } from '../src/inprocess/set-store.ts';
import { queue } from '../checkers/queue/queue.ts';
import { sessionGuarantees } from '../checkers/session/session-guarantees.ts';
import { setFull } from '../checkers/set/set-full.ts';
import { staleReads } from '../checkers/stale-reads/stale-reads.ts';
import { queueFinalOps, queueOp, queueRetry } from '../workloads/queue/index.ts';
import { registerOp } from '../workloads/register/index.ts';
import { sessionOp } from '../workloads/session/index.ts';
import { setFinalOps, setOp } from '../workloads/set/index.ts';

/** An op to append: invoked and completed at once by a process of its own. */
interface LaterOp {
  f: string;
  value: unknown;
  type: 'ok' | 'fail' | 'info';
  result: unknown;
}

interface Case {
  name: string;
  checker: () => IncrementalChecker & { check(h: History): CheckResult };
  store: (flawed: boolean) => InProcessStore;
  nextOp: (rng: Rng, n: number) => OpTemplate;
  retry?: (op: Op) => OpTemplate | null;
  final?: readonly OpTemplate[];
  /** Ops that would explain what the prefix read, were a violation in it not definite. */
  excuses: (prefix: readonly Op[]) => LaterOp[];
}

type Scalar = number | string;
const keyed = (key: Scalar | null, v: unknown): unknown => (key === null ? v : [key, v]);

/** Every (key, element) that ok reads of a set returned, and every element added, by key. */
function setContents(prefix: readonly Op[], readValues: (op: Op) => Array<[Scalar | null, readonly unknown[]]>, added: (op: Op) => [Scalar | null, unknown] | null): Map<Scalar | null, Set<unknown>> {
  const byKey = new Map<Scalar | null, Set<unknown>>();
  const put = (k: Scalar | null, e: unknown): void => {
    let s = byKey.get(k);
    if (!s) byKey.set(k, (s = new Set()));
    s.add(e);
  };
  for (const op of prefix) {
    if (op.type === 'ok') for (const [k, es] of readValues(op)) for (const e of es) put(k, e);
    const a = op.type === 'invoke' ? added(op) : null;
    if (a) put(a[0], a[1]);
  }
  return byKey;
}

const setReadValues = (op: Op): Array<[Scalar | null, readonly unknown[]]> => {
  if (op.f !== 'read') return [];
  const v = op.value;
  if (Array.isArray(v) && v.length === 2 && Array.isArray(v[1])) return [[v[0] as Scalar, v[1] as unknown[]]];
  return Array.isArray(v) ? [[null, v]] : [];
};

const CASES: Case[] = [
  {
    name: 'set-full (linearizable)',
    checker: () => setFull({ linearizable: true }),
    store: (f) => setStore(f ? 'lossy' : undefined),
    nextOp: (rng, n) => setOp(rng, n, { keys: 2 }),
    final: setFinalOps({ keys: 2 }),
    excuses: (prefix) => {
      const contents = setContents(prefix, setReadValues, (op) => (op.f !== 'add' ? null : Array.isArray(op.value) ? [op.value[0] as Scalar, op.value[1]] : [null, op.value]));
      const later: LaterOp[] = [];
      for (const [k, es] of contents) for (const e of es) later.push({ f: 'add', value: keyed(k, e), type: 'ok', result: keyed(k, e) });
      for (const [k, es] of contents) later.push({ f: 'read', value: keyed(k, null), type: 'ok', result: keyed(k, [...es]) });
      return later;
    },
  },
  {
    name: 'set-full',
    checker: () => setFull(),
    store: (f) => setStore(f ? 'duplicates' : undefined),
    nextOp: (rng, n) => setOp(rng, n),
    final: setFinalOps(),
    excuses: (prefix) => {
      const contents = setContents(prefix, setReadValues, (op) => (op.f === 'add' ? [null, op.value] : null));
      const es = [...(contents.get(null) ?? [])];
      return [...es.map((e): LaterOp => ({ f: 'add', value: e, type: 'ok', result: e })), { f: 'read', value: null, type: 'ok', result: es }];
    },
  },
  {
    name: 'queue (exactly-once)',
    checker: () => queue({ delivery: 'exactly-once' }),
    store: (f) => queueStore(f ? { flaw: 'redeliver' } : { dedupe: true }),
    nextOp: (rng, n) => queueOp(rng, n, { idempotencyKeys: true }),
    retry: (op) => queueRetry(op),
    final: queueFinalOps,
    excuses: (prefix) => {
      const delivered = new Set<unknown>();
      for (const op of prefix) {
        if (op.type !== 'ok') continue;
        if (op.f === 'dequeue' && op.value != null) delivered.add(JSON.stringify(op.value));
        if (op.f === 'drain' && Array.isArray(op.value)) for (const m of op.value) delivered.add(JSON.stringify(m));
      }
      return [...delivered].map((m): LaterOp => ({ f: 'enqueue', value: JSON.parse(m as string), type: 'ok', result: JSON.parse(m as string) }));
    },
  },
  {
    name: 'stale-reads',
    checker: () => staleReads(),
    store: (f) => registerStore(f ? 'follower-reads' : undefined),
    nextOp: (rng, n) => registerOp(rng, n, { keys: 2 }),
    excuses: (prefix) => {
      const later: LaterOp[] = [];
      for (const op of prefix) {
        if (op.f !== 'read' || op.type !== 'ok') continue;
        // Each value read written twice more: the read's value written more than once.
        for (let i = 0; i < 2; i++) later.push({ f: 'write', value: op.value, type: 'ok', result: op.value });
      }
      return later;
    },
  },
  {
    name: 'session',
    checker: () => sessionGuarantees(),
    store: (f) => keyedSetStore(f ? 'async-replicas' : undefined),
    nextOp: (rng, n) => sessionOp(rng, n, { opsPerGroup: 60 }),
    excuses: (prefix) => {
      const written = new Set<string>();
      for (const op of prefix) if (op.f === 'write' && op.type === 'invoke') written.add(JSON.stringify(op.value));
      const contents = setContents(prefix, setReadValues, () => null);
      const later: LaterOp[] = [];
      for (const [k, es] of contents) {
        // Values read that nobody had written, written now; then a read that sees everything.
        for (const e of es) if (!written.has(JSON.stringify([k, e]))) later.push({ f: 'write', value: [k, e], type: 'ok', result: [k, e] });
        later.push({ f: 'read', value: [k, null], type: 'ok', result: [k, [...es]] });
      }
      return later;
    },
  },
];

function history(c: Case, seed: number, flawed: boolean, infoRate: number): Op[] {
  return [
    ...runClients({
      seed,
      store: c.store(flawed),
      threads: 1 + (seed % 6),
      nodes: ['n1', 'n2', 'n3'],
      switchNodeRate: 0.3,
      infoRate,
      ops: 40 + (seed % 160),
      nextOp: c.nextOp,
      ...(c.retry ? { retry: c.retry } : {}),
      ...(c.final ? { final: c.final } : {}),
    }),
  ];
}

/** Feeds `h` in chunks of the given sizes (cycled), polling the verdict after each; the op index after which a violation was first definite. */
async function feedInChunks(checker: IncrementalChecker, h: readonly Op[], sizes: readonly number[]): Promise<{ result: CheckResult; definiteAt: number | null }> {
  const session = checker.begin({});
  let definiteAt: number | null = null;
  for (let at = 0, chunk = 0; at < h.length; chunk++) {
    const end = Math.min(h.length, at + sizes[chunk % sizes.length]!);
    for (; at < end; at++) session.feed(h[at]!);
    if (session.violated) definiteAt ??= end - 1;
    else expect(definiteAt, 'a definite violation stays definite').toBeNull();
  }
  return { result: await session.finish(), definiteAt };
}

/** The prefix up to op `at`, its open invocations ended info, then `later` by fresh processes. */
function continued(h: readonly Op[], at: number, later: readonly LaterOp[]): Op[] {
  const out = h.slice(0, at + 1).map((op) => ({ ...op }));
  const open = new Map<unknown, Op>();
  for (const op of out) {
    if (op.type === 'invoke') open.set(op.process, op);
    else open.delete(op.process);
  }
  let time = out[out.length - 1]!.time;
  const push = (process: Op['process'], type: Op['type'], f: string, value: unknown): void => void out.push({ index: out.length, time: (time += 1_000), process, type, f, value });
  for (const inv of open.values()) push(inv.process, 'info', inv.f, inv.value);
  later.forEach((l, i) => {
    push(1_000_000 + i, 'invoke', l.f, l.value);
    push(1_000_000 + i, l.type, l.f, l.result);
  });
  return out;
}

describe('workload checkers fed op by op', () => {
  it.each(CASES)('$name: the whole-history result in any chunking, and definite violations nothing later excuses', async (c) => {
    let early = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.boolean(),
        fc.constantFrom(0, 0.05, 0.2),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        async (seed, flawed, infoRate, sizes) => {
          const h = history(c, seed, flawed, infoRate);
          const offline = c.checker().check(h);
          const { result, definiteAt } = await feedInChunks(c.checker(), h, sizes);
          expect(result).toEqual(offline);
          if (definiteAt === null) return;
          expect(offline.valid).toBe(false);
          const excused = continued(h, definiteAt, c.excuses(h.slice(0, definiteAt + 1)));
          expect(c.checker().check(excused).valid, `definite at op ${definiteAt}, seed ${seed}`).toBe(false);
          if (definiteAt < h.length - 1) early++;
        },
      ),
      { numRuns: 40 },
    );
    expect(early).toBeGreaterThan(0);
  });

  it('stale-reads: a read of a value written only after it completed is a future read, definite at once', async () => {
    const op = (index: number, process: number, type: Op['type'], f: string, value: unknown): Op => ({ index, time: index * 1e6, process, type, f, value });
    const h: Op[] = [op(0, 0, 'invoke', 'read', null), op(1, 0, 'ok', 'read', 5), op(2, 1, 'invoke', 'write', 5), op(3, 1, 'ok', 'write', 5)];
    const session = staleReads().begin({});
    session.feed(h[0]!);
    session.feed(h[1]!);
    expect(session.violated).toBe(true);
    session.feed(h[2]!);
    session.feed(h[3]!);
    expect(await session.finish()).toMatchObject({ valid: false, anomalyTypes: ['future-read'], impossible: [{ kind: 'future-read', index: 1, value: 5 }] });
  });

  it('set-full without linearizable: a missed element is not definite (a later read may still see it)', async () => {
    const op = (index: number, process: number, type: Op['type'], f: string, value: unknown): Op => ({ index, time: index * 1e6, process, type, f, value });
    const session = setFull().begin({});
    for (const o of [op(0, 0, 'invoke', 'add', 1), op(1, 0, 'ok', 'add', 1), op(2, 1, 'invoke', 'read', null), op(3, 1, 'ok', 'read', [])]) session.feed(o);
    expect(session.violated).toBe(false);
    session.feed(op(4, 1, 'invoke', 'read', null));
    session.feed(op(5, 1, 'ok', 'read', [1]));
    expect(await session.finish()).toMatchObject({ valid: true, staleCount: 1 });
  });
});
