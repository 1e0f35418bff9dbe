// Property tests: histories of the in-process serializable store under random interleavings
// (with indeterminate ops) are always valid; snapshot-isolation store histories always satisfy
// snapshot isolation; and each anomaly injected into a random valid history is found and
// classified exactly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { History, Op } from '../../src/core/op.ts';
import { runClients } from '../../src/inprocess/client-histories.ts';
import { serializableTxnStore, type TxnKind } from '../../src/inprocess/txn-serializable.ts';
import { snapshotTxnStore } from '../../src/inprocess/txn-snapshot.ts';
import { TxnSource } from '../../workloads/list-append/txn-source.ts';
import { listAppend, rwRegister, type ElleOptions } from './index.ts';

const params = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 }),
  threads: fc.integer({ min: 1, max: 6 }),
  ops: fc.integer({ min: 20, max: 150 }),
  infoRate: fc.constantFrom(0, 0.05, 0.2),
  keyCount: fc.integer({ min: 1, max: 6 }),
  maxWritesPerKey: fc.integer({ min: 2, max: 12 }),
  keyDistribution: fc.constantFrom('uniform' as const, 'exponential' as const, 'zipf' as const),
});

type Params = typeof params extends fc.Arbitrary<infer T> ? T : never;

function run(kind: TxnKind, p: Params, store = serializableTxnStore(kind)): History {
  const source = new TxnSource(kind === 'list-append' ? 'append' : 'w', {
    keyCount: p.keyCount,
    maxWritesPerKey: p.maxWritesPerKey,
    keyDistribution: p.keyDistribution,
  });
  return runClients({ seed: p.seed, store, threads: p.threads, nodes: ['n1'], ops: p.ops, infoRate: p.infoRate, nextOp: (r) => source.next(r) });
}

describe('valid stores give valid histories', () => {
  it('list-append on the serializable store is strict serializable', async () => {
    await fc.assert(
      fc.asyncProperty(params, async (p) => {
        const r = await listAppend().check(run('list-append', p), {});
        expect(r.anomalyTypes).toBeUndefined();
        expect(r.valid).toBe(true);
        expect(r.possible).toContain('strong-serializable');
      }),
      { numRuns: 60 },
    );
  });

  it('rw-register on the serializable store is strict serializable', async () => {
    await fc.assert(
      fc.asyncProperty(params, async (p) => {
        const r = await rwRegister().check(run('rw-register', p), {});
        expect(r.anomalyTypes).toBeUndefined();
        expect(r.valid).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('list-append on the snapshot-isolation store satisfies snapshot isolation', async () => {
    let nonSerializable = 0;
    await fc.assert(
      fc.asyncProperty(params, async (p) => {
        const h = run('list-append', p, snapshotTxnStore('list-append'));
        const si = await listAppend({ consistencyModels: ['snapshot-isolation'] }).check(h, {});
        expect(si.anomalyTypes).toBeUndefined();
        expect(si.valid).toBe(true);
        const ser = await listAppend({ consistencyModels: ['serializable'] }).check(h, {});
        if (ser.valid === false) {
          nonSerializable++;
          expect(ser.anomalyTypes).toEqual(expect.arrayContaining(['G2-item']));
          expect(ser.not).toEqual(['repeatable-read']);
        }
      }),
      { numRuns: 60 },
    );
    // Write skew must actually show up sometimes, or the last check above proves nothing.
    expect(nonSerializable).toBeGreaterThan(0);
  });
});

/** A fragment of ops appended after a base history: `inv` starts a txn, the rest complete one. */
type Event = ['inv' | 'ok' | 'fail' | 'info', number, unknown[][]];

const X = 1_000_000;
const Y = X + 1;
const blank = (mops: unknown[][]): unknown[][] => mops.map(([f, k, v]) => (f === 'r' ? [f, k, null] : [f, k, v]));
const seqTxn = (p: number, mops: unknown[][], type: 'ok' | 'fail' = 'ok'): Event[] => [
  ['inv', p, blank(mops)],
  [type, p, mops],
];

function inject(base: History, events: readonly Event[]): History {
  const out: Op[] = base.slice();
  let time = (base[base.length - 1]?.time ?? 0) + 1e6;
  for (const [type, process, value] of events) {
    out.push({ index: out.length, time, process: 1000 + process, type: type === 'inv' ? 'invoke' : type, f: 'txn', value });
    time += 1e6;
  }
  return out;
}

interface Injection {
  name: string;
  events: Event[];
  expected: string[];
  opts?: ElleOptions;
}

const injections: Injection[] = [
  {
    name: 'G0',
    events: [
      ['inv', 1, [['append', X, 1], ['append', Y, 1]]],
      ['inv', 2, [['append', X, 2], ['append', Y, 2]]],
      ['inv', 3, [['r', X, null], ['r', Y, null]]],
      ['ok', 1, [['append', X, 1], ['append', Y, 1]]],
      ['ok', 2, [['append', X, 2], ['append', Y, 2]]],
      ['ok', 3, [['r', X, [1, 2]], ['r', Y, [2, 1]]]],
    ],
    expected: ['G0'],
  },
  {
    name: 'G1c',
    events: [
      ['inv', 1, [['append', X, 1], ['r', Y, null]]],
      ['inv', 2, [['append', Y, 1], ['r', X, null]]],
      ['ok', 1, [['append', X, 1], ['r', Y, [1]]]],
      ['ok', 2, [['append', Y, 1], ['r', X, [1]]]],
    ],
    expected: ['G1c'],
  },
  {
    name: 'G-single-item',
    events: [
      ['inv', 1, [['append', X, 1], ['append', Y, 1]]],
      ['inv', 2, [['append', X, 2], ['r', Y, null]]],
      ['inv', 3, [['r', X, null]]],
      ['ok', 1, [['append', X, 1], ['append', Y, 1]]],
      ['ok', 2, [['append', X, 2], ['r', Y, []]]],
      ['ok', 3, [['r', X, [1, 2]]]],
    ],
    expected: ['G-single-item'],
  },
  {
    name: 'G-nonadjacent-item (long fork)',
    events: [
      ['inv', 1, [['append', X, 1]]],
      ['inv', 2, [['r', X, null], ['r', Y, null]]],
      ['inv', 3, [['append', Y, 1]]],
      ['inv', 4, [['r', Y, null], ['r', X, null]]],
      ['ok', 1, [['append', X, 1]]],
      ['ok', 2, [['r', X, [1]], ['r', Y, []]]],
      ['ok', 3, [['append', Y, 1]]],
      ['ok', 4, [['r', Y, [1]], ['r', X, []]]],
    ],
    expected: ['G-nonadjacent-item'],
  },
  {
    name: 'G2-item (write skew)',
    events: [
      ['inv', 1, [['append', X, 1], ['r', Y, null]]],
      ['inv', 2, [['append', Y, 1], ['r', X, null]]],
      ['ok', 1, [['append', X, 1], ['r', Y, []]]],
      ['ok', 2, [['append', Y, 1], ['r', X, []]]],
    ],
    expected: ['G2-item'],
  },
  {
    name: 'G-single-item-realtime (stale read)',
    events: [...seqTxn(1, [['append', X, 1]]), ...seqTxn(2, [['r', X, []]])],
    expected: ['G-single-item-realtime'],
  },
  {
    name: 'G-single-item-process (own write not read back)',
    events: [...seqTxn(1, [['append', X, 1]]), ...seqTxn(1, [['r', X, []]])],
    expected: ['G-single-item-process'],
    opts: { consistencyModels: ['strong-session-serializable'] },
  },
  {
    name: 'G1a',
    events: [...seqTxn(1, [['append', X, 1]], 'fail'), ...seqTxn(2, [['r', X, [1]]])],
    expected: ['G1a'],
  },
  {
    name: 'G1b',
    events: [
      ['inv', 1, [['append', X, 1], ['append', X, 2]]],
      ['inv', 2, [['r', X, null]]],
      ['ok', 1, [['append', X, 1], ['append', X, 2]]],
      ['ok', 2, [['r', X, [1]]]],
    ],
    expected: ['G-single-item', 'G1b'],
  },
  { name: 'internal', events: seqTxn(1, [['append', X, 1], ['r', X, []]]), expected: ['internal'] },
  { name: 'future-read', events: seqTxn(1, [['r', X, [1]], ['append', X, 1]]), expected: ['future-read'] },
  {
    name: 'lost-update',
    events: [
      ...seqTxn(1, [['append', X, 0]]),
      ['inv', 2, [['r', X, null], ['append', X, 1]]],
      ['inv', 3, [['r', X, null], ['append', X, 2]]],
      ['ok', 2, [['r', X, [0]], ['append', X, 1]]],
      ['ok', 3, [['r', X, [0]], ['append', X, 2]]],
    ],
    expected: ['G2-item', 'lost-update'],
  },
  {
    name: 'dirty-update',
    events: [...seqTxn(1, [['append', X, 1]], 'fail'), ...seqTxn(2, [['append', X, 2]]), ...seqTxn(3, [['r', X, [1, 2]]])],
    expected: ['G1a', 'dirty-update'],
  },
  {
    name: 'duplicate-elements',
    events: [...seqTxn(1, [['append', X, 1]]), ...seqTxn(2, [['r', X, [1, 1]]])],
    expected: ['duplicate-elements'],
  },
  {
    name: 'incompatible-order',
    events: [
      ['inv', 1, [['append', X, 1]]],
      ['inv', 2, [['append', X, 2]]],
      ['inv', 3, [['r', X, null]]],
      ['inv', 4, [['r', X, null]]],
      ['ok', 1, [['append', X, 1]]],
      ['ok', 2, [['append', X, 2]]],
      ['ok', 3, [['r', X, [1, 2]]]],
      ['ok', 4, [['r', X, [2, 1]]]],
    ],
    expected: ['incompatible-order'],
  },
  { name: 'garbage-read', events: seqTxn(1, [['r', X, [7]]]), expected: ['garbage-read'] },
];

describe('injected anomalies are found and classified exactly', () => {
  it.each(injections.map((i) => [i.name, i] as const))('%s', async (_name, inj) => {
    await fc.assert(
      fc.asyncProperty(params, async (p) => {
        const h = inject(run('list-append', p), inj.events);
        const r = await listAppend(inj.opts).check(h, {});
        expect(r.anomalyTypes).toEqual(inj.expected);
        expect(r.valid).toBe(false);
      }),
      { numRuns: 15 },
    );
  });

  it('rw-register: aborted read, intermediate read, internal and lost update', async () => {
    const cases: [Event[], string[]][] = [
      [[...seqTxn(1, [['w', X, 1]], 'fail'), ...seqTxn(2, [['r', X, 1]])], ['G1a']],
      [[...seqTxn(1, [['w', X, 1], ['w', X, 2]]), ...seqTxn(2, [['r', X, 1]])], ['G1b']],
      [seqTxn(1, [['w', X, 1], ['r', X, 2], ['w', Y, 2]]), ['garbage-read', 'internal']],
      [
        [
          ...seqTxn(1, [['w', X, 0]]),
          ['inv', 2, [['r', X, null], ['w', X, 1]]],
          ['inv', 3, [['r', X, null], ['w', X, 2]]],
          ['ok', 2, [['r', X, 0], ['w', X, 1]]],
          ['ok', 3, [['r', X, 0], ['w', X, 2]]],
        ],
        ['lost-update'],
      ],
    ];
    await fc.assert(
      fc.asyncProperty(params, async (p) => {
        const base = run('rw-register', p);
        for (const [events, expected] of cases) {
          const r = await rwRegister({ garbageReads: true }).check(inject(base, events), {});
          expect(r.anomalyTypes).toEqual(expected);
        }
      }),
      { numRuns: 10 },
    );
  });
});
