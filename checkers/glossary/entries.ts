/**
 * The anomaly glossary's text: for every anomaly type a checker reports, a definition, the
 * smallest history that shows it, the models that forbid it when it lies outside Elle's taxonomy
 * (Elle's anomalies take theirs from the lattice in ../elle/model.ts), and the runs of bundled
 * stores that demonstrate it. ./index.ts adds the process / real-time variants of the cycles.
 */
import { complete, invoke, op, type Example } from './example.ts';

/** A run that shows the anomaly: `faultline test --db <db> [--bug <bug>] [--opt k=v] --workload <w> --nemesis <n>`. */
export interface Demonstration {
  db: string;
  workload: string;
  /** `none` or a comma-separated list of nemesis packages. */
  nemesis: string;
  bug?: string;
  options?: Readonly<Record<string, string>>;
  /** `--time-limit` for anomalies that need a longer run than a few seconds to show up reliably. */
  timeLimitS?: number;
}

export interface EntrySource {
  type: string;
  title: string;
  /** Checkers (results.json names) that report it. */
  checkers: readonly string[];
  /** One paragraph. */
  definition: string;
  example?: Example;
  /** For anomalies outside Elle's taxonomy: the weakest models (lattice names) that forbid it. */
  violates?: readonly string[];
  /** What else the anomaly tells, e.g. a contract of a data type rather than a consistency model. */
  note?: string;
  demonstrations?: readonly Demonstration[];
}

const txn = (p: number, mops: unknown[], type: 'ok' | 'fail' | 'info' = 'ok', result: unknown[] = mops) => op(p, 'txn', mops, type, result);
const A = (k: string, v: number) => ['append', k, v];
const R = (k: string, v: number[] | null = null) => ['r', k, v];

/** Reads that return a value no write produced break every model, so the weakest of each family. */
const EVERY_MODEL = ['read-uncommitted', 'read-your-writes', 'monotonic-reads', 'monotonic-writes', 'writes-follow-reads'] as const;

const STALE_ATOM: Demonstration = { db: 'inprocess:stale-atom', workload: 'register', nemesis: 'none' };
const RAFT_STALE: Demonstration = { db: 'reference:raft', bug: 'stale-reads', workload: 'register', nemesis: 'partition' };
const QUORUM_WEAK: Demonstration = { db: 'reference:quorum', options: { 'quorum.r': '1', 'quorum.w': '1' }, workload: 'register', nemesis: 'none' };
const KV_SESSION: Demonstration = { db: 'inprocess:kv', bug: 'async-replicas', workload: 'session', nemesis: 'none', timeLimitS: 30 };

export const ENTRY_SOURCES: readonly EntrySource[] = [
  {
    type: 'nonlinearizable',
    title: 'Not linearizable',
    checkers: ['linearizable'],
    definition:
      'No order of the operations explains the history while keeping each operation inside its own time window (between its invocation and its completion) and respecting the data type: every attempt to place the ops one at a time gets stuck at some op. The report shows that op, the ops concurrent with it, and the longest orders the search built before it got stuck.',
    example: { checker: 'linearizable', model: 'register', events: [...op(0, 'write', 1), ...op(0, 'write', 2), ...op(1, 'read', null, 'ok', 1)] },
    violates: ['linearizable'],
    demonstrations: [
      STALE_ATOM,
      RAFT_STALE,
      QUORUM_WEAK,
      { db: 'reference:raft', bug: 'no-fsync', workload: 'register', nemesis: 'kill' },
      { db: 'reference:lww', workload: 'register', nemesis: 'partition' },
    ],
  },
  {
    type: 'stale-read',
    title: 'Stale read',
    checkers: ['stale-reads'],
    definition:
      'A read returned a value although a newer write had completed before the read began: the store answered from a copy that had not caught up. The checker measures how far behind each read was, in versions (newer writes it missed) and in milliseconds (since the first of them completed), and which node answered.',
    example: { checker: 'stale-reads', events: [...op(0, 'write', 1), ...op(0, 'write', 2), ...op(1, 'read', null, 'ok', 1)] },
    violates: ['linearizable'],
    demonstrations: [STALE_ATOM, RAFT_STALE, QUORUM_WEAK, { db: 'reference:lww', workload: 'register', nemesis: 'partition' }],
  },
  {
    type: 'unexpected-value',
    title: 'Read of a value nobody wrote',
    checkers: ['stale-reads'],
    definition: 'A register read returned a value that no write ever tried to write: corrupted data, a value from another key, or a client decoding the reply wrongly.',
    example: { checker: 'stale-reads', events: [...op(0, 'write', 1), ...op(1, 'read', null, 'ok', 7)] },
    violates: EVERY_MODEL,
  },
  {
    type: 'future-read',
    title: 'Read from the future',
    checkers: ['stale-reads', 'list-append'],
    definition:
      "A read observed a write that had not happened yet: on a register, a value whose write was invoked only after the read completed; in list-append, a transaction read an element that it appends itself later in the same transaction. Information flowed backwards in time.",
    example: { checker: 'list-append', events: txn(0, [R('x'), A('x', 1)], 'ok', [R('x', [1]), A('x', 1)]) },
  },
  {
    type: 'read-your-writes',
    title: 'Read-your-writes violated',
    checkers: ['session'],
    definition: 'A client read a key and did not see a write of its own to that key that had already completed: the session moved to a node the write had not reached yet.',
    example: { checker: 'session', events: [...op(0, 'write', ['x', 1], 'ok', ['x', 1], 'n1'), ...op(0, 'read', ['x', null], 'ok', ['x', []], 'n2')] },
    violates: ['read-your-writes'],
    demonstrations: [KV_SESSION],
  },
  {
    type: 'monotonic-reads',
    title: 'Monotonic reads violated',
    checkers: ['session'],
    definition: "A client's read of a key lacked a value that an earlier read of the same client had returned: its view of the key went backwards.",
    example: {
      checker: 'session',
      events: [...op(0, 'write', ['x', 1]), ...op(1, 'read', ['x', null], 'ok', ['x', [1]], 'n1'), ...op(1, 'read', ['x', null], 'ok', ['x', []], 'n2')],
    },
    violates: ['monotonic-reads'],
    demonstrations: [KV_SESSION],
  },
  {
    type: 'monotonic-writes',
    title: 'Monotonic writes violated',
    checkers: ['session'],
    definition: "A read saw a client's later write to a key without its earlier one: the client's writes became visible out of the order it made them.",
    example: { checker: 'session', events: [...op(0, 'write', ['x', 1]), ...op(0, 'write', ['x', 2]), ...op(1, 'read', ['x', null], 'ok', ['x', [2]])] },
    violates: ['monotonic-writes'],
    demonstrations: [KV_SESSION],
  },
  {
    type: 'writes-follow-reads',
    title: 'Writes-follow-reads violated',
    checkers: ['session'],
    definition: 'A client read a value, then wrote; a read that saw the write did not see what its writer had read before writing it. A reply became visible before the message it answers.',
    example: {
      checker: 'session',
      events: [...op(0, 'write', ['x', 1]), ...op(1, 'read', ['x', null], 'ok', ['x', [1]]), ...op(1, 'write', ['x', 2]), ...op(2, 'read', ['x', null], 'ok', ['x', [2]])],
    },
    violates: ['writes-follow-reads'],
    demonstrations: [KV_SESSION],
  },
  {
    type: 'thin-air-read',
    title: 'Read out of thin air',
    checkers: ['session', 'causal-reverse'],
    definition: 'A read returned a value that no client ever wrote to that key.',
    example: { checker: 'session', events: op(0, 'read', ['x', null], 'ok', ['x', [5]]) },
    violates: EVERY_MODEL,
  },
  {
    type: 'aborted-read',
    title: 'Read of a failed write',
    checkers: ['session', 'causal-reverse'],
    definition: 'A read returned a value whose write had failed, that is, had definitely not taken effect: the store exposed a write it later reported as not done.',
    example: { checker: 'session', events: [...op(0, 'write', ['x', 1], 'fail'), ...op(1, 'read', ['x', null], 'ok', ['x', [1]])] },
    violates: ['read-committed'],
  },
  {
    type: 'causal-reverse',
    title: 'Causal order reversed',
    checkers: ['causal-reverse'],
    definition:
      "A read saw a write without an earlier write that it depends on: one the same client made before, one the writer had read before writing, or one that had completed before the later write began. The report shows the chain from the earlier write to the later one and the read that saw them out of order.",
    example: { checker: 'causal-reverse', events: [...op(0, 'write', ['x', 1]), ...op(0, 'write', ['y', 2]), ...op(1, 'read', ['x', 'y'], 'ok', { x: [], y: [2] })] },
    violates: ['causal'],
    demonstrations: [{ db: 'inprocess:kv', bug: 'async-replicas', workload: 'causal', nemesis: 'none' }],
  },
  {
    type: 'long-fork',
    title: 'Long fork',
    checkers: ['long-fork'],
    definition:
      'Two reads of the same keys saw two concurrent writes in opposite orders: one read has the first write and not the second, the other the second and not the first. The replicas applied the writes in different orders, as parallel snapshot isolation allows and snapshot isolation does not.',
    example: {
      checker: 'long-fork',
      events: [
        ...op(0, 'write', [['w', 0, 1]]),
        ...op(1, 'write', [['w', 1, 1]]),
        ...op(2, 'read', [['r', 0, null], ['r', 1, null]], 'ok', [['r', 0, 1], ['r', 1, null]]),
        ...op(3, 'read', [['r', 0, null], ['r', 1, null]], 'ok', [['r', 0, null], ['r', 1, 1]]),
      ],
    },
    violates: ['snapshot-isolation'],
    demonstrations: [{ db: 'inprocess:long-fork', bug: 'parallel-snapshots', workload: 'long-fork', nemesis: 'none', timeLimitS: 60 }],
  },
  {
    type: 'lost',
    title: 'Lost element or message',
    checkers: ['set-full', 'queue'],
    definition:
      'An acknowledged add (set) or enqueue (queue) never shows up again: for a set, every read from some point after the element was known missed it, up to the last read; for a queue, no dequeue or final drain delivered the message. Acknowledged data was dropped.',
    example: { checker: 'set-full', events: [...op(0, 'add', 1), ...op(1, 'read', null, 'ok', [])] },
    violates: ['linearizable'],
    note: 'For queues it breaks at-least-once and exactly-once delivery.',
    demonstrations: [
      { db: 'inprocess:set', bug: 'lossy', workload: 'set', nemesis: 'none' },
      { db: 'inprocess:queue', bug: 'lossy', workload: 'queue', nemesis: 'none' },
    ],
  },
  {
    type: 'duplicated',
    title: 'Duplicated element, message or id',
    checkers: ['set-full', 'queue', 'unique-ids'],
    definition:
      'Something that must exist once appeared twice: a set read listed an element twice, a queue delivered a message more than once (the queue checker says whether unmerged client retries explain it), or an id generator handed out the same id twice.',
    example: { checker: 'set-full', events: [...op(0, 'add', 1), ...op(1, 'read', null, 'ok', [1, 1])] },
    note: 'A broken contract of the data type rather than of a consistency model: for queues, at-most-once and exactly-once delivery.',
    demonstrations: [
      { db: 'inprocess:set', bug: 'duplicates', workload: 'set', nemesis: 'none' },
      { db: 'inprocess:queue', bug: 'redeliver', options: { 'queue.delivery': 'exactly-once' }, workload: 'queue', nemesis: 'none' },
      { db: 'inprocess:unique-ids', bug: 'node-local-counter', workload: 'unique-ids', nemesis: 'none' },
    ],
  },
  {
    type: 'unexpected',
    title: 'Unexpected element or message',
    checkers: ['set-full', 'queue'],
    definition: 'A read or dequeue returned an element that was never added (or enqueued), or whose every add failed.',
    example: { checker: 'set-full', events: [...op(0, 'add', 1), ...op(1, 'read', null, 'ok', [1, 9])] },
    violates: EVERY_MODEL,
  },
  {
    type: 'stale',
    title: 'Stale set read',
    checkers: ['set-full'],
    definition:
      'A set read missed an element that was already known to be in the set (its add had completed, or an earlier read had returned it), though later reads did see it again. Reported as an anomaly only when the set is meant to be linearizable (`--opt linearizable=true`); otherwise only measured.',
    example: { checker: 'set-full', options: { 'set.linearizable': 'true' }, events: [...op(0, 'add', 1), ...op(1, 'read', null, 'ok', []), ...op(1, 'read', null, 'ok', [1])] },
    violates: ['linearizable'],
    demonstrations: [{ db: 'inprocess:set', bug: 'stale-reads', options: { 'set.linearizable': 'true' }, workload: 'set', nemesis: 'none' }],
  },
  {
    type: 'read-too-low',
    title: 'Counter read too low',
    checkers: ['counter'],
    definition: 'A counter read was below the lowest value the history allows: it lacked increments that had been acknowledged before the read began, so increments were lost or the read was stale.',
    example: { checker: 'counter', events: [...op(0, 'add', 1), ...op(1, 'read', null, 'ok', 0)] },
    violates: ['linearizable'],
    demonstrations: [{ db: 'inprocess:counter', bug: 'lost-increments', workload: 'counter', nemesis: 'none' }],
  },
  {
    type: 'read-too-high',
    title: 'Counter read too high',
    checkers: ['counter'],
    definition: 'A counter read was above the highest value the history allows: it counted an increment twice, or one that had not been invoked yet or had failed.',
    example: { checker: 'counter', events: [...op(0, 'add', 1), ...op(1, 'read', null, 'ok', 2)] },
    violates: EVERY_MODEL,
    demonstrations: [{ db: 'inprocess:counter', bug: 'double-apply', workload: 'counter', nemesis: 'none' }],
  },
  {
    type: 'wrong-total',
    title: 'Bank total not conserved',
    checkers: ['bank'],
    definition: 'A read of all accounts did not add up to the total that transfers conserve: it saw one half of a transfer without the other (a fractured read), or a transfer was applied partly or twice.',
    example: {
      checker: 'bank',
      options: { 'bank.accounts': '0,1', 'bank.total': '20' },
      events: [...op(0, 'transfer', { from: 0, to: 1, amount: 5 }), ...op(1, 'read', null, 'ok', { 0: 5, 1: 10 })],
    },
    violates: ['read-atomic'],
    demonstrations: [{ db: 'inprocess:bank', bug: 'torn-transfers', workload: 'bank', nemesis: 'none' }],
  },
  {
    type: 'negative-value',
    title: 'Negative balance',
    checkers: ['bank'],
    definition:
      'A read showed an account below zero. When every transfer refuses to overdraw, this means two transfers each saw enough money and both went ahead: a lost update or write skew between them, or no check at all.',
    example: { checker: 'bank', options: { 'bank.accounts': '0,1', 'bank.total': '20' }, events: op(1, 'read', null, 'ok', { 0: -5, 1: 25 }) },
    violates: ['serializable'],
    demonstrations: [{ db: 'inprocess:bank', bug: 'overdraft', workload: 'bank', nemesis: 'none' }],
  },
  {
    type: 'nil-balance',
    title: 'Missing balance',
    checkers: ['bank'],
    definition: 'A read of all accounts lacked an account, or gave it no number.',
    example: { checker: 'bank', options: { 'bank.accounts': '0,1', 'bank.total': '20' }, events: op(1, 'read', null, 'ok', { 0: 20 }) },
    note: 'The read is malformed: the store lost an account or the client decoded the reply wrongly.',
  },
  {
    type: 'unexpected-key',
    title: 'Unknown account',
    checkers: ['bank'],
    definition: 'A read listed an account that the test never created.',
    example: { checker: 'bank', options: { 'bank.accounts': '0,1', 'bank.total': '20' }, events: op(1, 'read', null, 'ok', { 0: 10, 1: 10, 2: 0 }) },
    note: 'The read is malformed: data from elsewhere, or a client decoding the reply wrongly.',
  },
  {
    type: 'never-succeeded',
    title: 'An operation never succeeded',
    checkers: ['stats'],
    definition: 'Every operation of some kind (say, every write) failed or timed out, so the run says nothing about the consistency of the others: reads of a register nobody could write are trivially consistent.',
    example: { checker: 'stats', events: [...op(0, 'write', 1, 'fail'), ...op(0, 'read', null, 'ok', null)] },
    note: 'Not an anomaly of the store but a test that proved nothing; look at availability, the nemesis and the errors.',
  },
  {
    type: 'low-availability',
    title: 'Availability below the minimum',
    checkers: ['availability'],
    definition: 'The fraction of operations that succeeded fell below the minimum the test asked for (`--opt minAvailability=...`).',
    example: { checker: 'availability', options: { 'availability.min-availability': '0.9' }, events: [...op(0, 'write', 1, 'fail'), ...op(0, 'write', 2)] },
    note: 'A measurement, not a consistency anomaly.',
  },
  // Elle's anomalies (list-append, rw-register); their ruled-out models come from the lattice.
  {
    type: 'G0',
    title: 'G0: write cycle (dirty write)',
    checkers: ['list-append', 'rw-register'],
    definition: "Transactions overwrote each other's writes in a cycle: T1's write of some key came before T2's, and T2's write of another key before T1's. There is no order in which the writes of whole transactions were installed.",
    example: {
      checker: 'list-append',
      events: [...txn(0, [A('x', 1), A('y', 1)]), ...txn(1, [A('x', 2), A('y', 2)]), ...txn(2, [R('x'), R('y')], 'ok', [R('x', [1, 2]), R('y', [2, 1])])],
    },
  },
  {
    type: 'G1a',
    title: 'G1a: aborted read',
    checkers: ['list-append', 'rw-register'],
    definition: 'A committed transaction read a value written by a transaction that failed (aborted): it saw a write that never took effect.',
    example: { checker: 'list-append', events: [...txn(0, [A('x', 1)], 'fail'), ...txn(1, [R('x')], 'ok', [R('x', [1])])] },
  },
  {
    type: 'G1b',
    title: 'G1b: intermediate read',
    checkers: ['list-append', 'rw-register'],
    definition: 'A transaction read a value that another transaction wrote and then overwrote itself before committing: it saw an intermediate state that should never have been visible.',
    example: { checker: 'list-append', events: [...txn(0, [A('x', 1), A('x', 2)]), ...txn(1, [R('x')], 'ok', [R('x', [1])])] },
  },
  {
    type: 'G1c',
    title: 'G1c: circular information flow',
    checkers: ['list-append', 'rw-register'],
    definition: 'A cycle of transactions in which each either read from or overwrote the next, with at least one read: T1 saw something of T2 and T2 saw (or overwrote) something of T1, so neither can have come first.',
    example: {
      checker: 'list-append',
      events: [
        invoke(0, 'txn', [A('x', 1), R('y')]),
        invoke(1, 'txn', [A('x', 2), A('y', 1)]),
        complete(1, 'txn', 'ok', [A('x', 2), A('y', 1)]),
        complete(0, 'txn', 'ok', [A('x', 1), R('y', [1])]),
        ...txn(2, [R('x')], 'ok', [R('x', [1, 2])]),
      ],
    },
  },
  {
    type: 'G-single-item',
    title: 'G-single: read skew',
    checkers: ['list-append', 'rw-register'],
    definition:
      'A dependency cycle with exactly one anti-dependency (a read that missed a write later installed): a transaction saw part of another transaction and missed the rest, for example the new value of x but the old value of y. Snapshot isolation forbids it.',
    example: {
      checker: 'list-append',
      events: [...txn(0, [A('x', 1), A('y', 1)]), ...txn(1, [A('x', 2), R('y')], 'ok', [A('x', 2), R('y', [])]), ...txn(2, [R('x')], 'ok', [R('x', [1, 2])])],
    },
    demonstrations: [{ db: 'reference:mvcc', options: { 'mvcc.mode': 'read-committed' }, workload: 'list-append', nemesis: 'none' }],
  },
  {
    type: 'G-nonadjacent-item',
    title: 'G-nonadjacent: non-adjacent anti-dependencies',
    checkers: ['list-append', 'rw-register'],
    definition:
      'A dependency cycle with two or more anti-dependencies, no two of them next to each other: for example two readers that each saw one of two independent writes and not the other (a long fork). Snapshot isolation forbids it.',
    example: {
      checker: 'list-append',
      events: [
        ...txn(0, [A('x', 1)]),
        ...txn(1, [R('x'), R('y')], 'ok', [R('x', [1]), R('y', [])]),
        ...txn(2, [A('y', 1)]),
        ...txn(3, [R('y'), R('x')], 'ok', [R('y', [1]), R('x', [])]),
      ],
    },
  },
  {
    type: 'G2-item',
    title: 'G2-item: anti-dependency cycle (write skew)',
    checkers: ['list-append', 'rw-register'],
    definition:
      'A dependency cycle with two adjacent anti-dependencies: each transaction missed a write of the other, as when two transactions each read what the other is about to change and both commit (write skew). Snapshot isolation allows it; serializability does not.',
    example: {
      checker: 'list-append',
      events: [
        invoke(0, 'txn', [A('x', 1), R('y')]),
        invoke(1, 'txn', [A('y', 1), R('x')]),
        complete(0, 'txn', 'ok', [A('x', 1), R('y', [])]),
        complete(1, 'txn', 'ok', [A('y', 1), R('x', [])]),
        ...txn(2, [R('x'), R('y')], 'ok', [R('x', [1]), R('y', [1])]),
      ],
    },
    demonstrations: [{ db: 'reference:mvcc', workload: 'list-append', nemesis: 'none' }],
  },
  {
    type: 'internal',
    title: 'Internal inconsistency',
    checkers: ['list-append', 'rw-register'],
    definition: "Within one transaction, a read disagreed with the transaction's own earlier reads and writes: after appending 3 to x it read a list that does not end in 3.",
    example: { checker: 'list-append', events: txn(0, [A('x', 3), R('x')], 'ok', [A('x', 3), R('x', [1, 2, 3, 4])]) },
  },
  {
    type: 'dirty-update',
    title: 'Dirty update',
    checkers: ['list-append'],
    definition: 'A committed append was installed on top of the append of a failed transaction: the committed state builds on a write that never took effect.',
    example: { checker: 'list-append', events: [...txn(0, [A('x', 1)], 'fail'), ...txn(1, [A('x', 2)]), ...txn(2, [R('x')], 'ok', [R('x', [1, 2])])] },
  },
  {
    type: 'incompatible-order',
    title: 'Incompatible orders',
    checkers: ['list-append'],
    definition: 'Two reads of the same list disagree on its order: neither is a prefix of the other, so there is no single order in which the appends were installed.',
    example: {
      checker: 'list-append',
      events: [...txn(0, [A('x', 1)]), ...txn(0, [A('x', 2)]), ...txn(0, [A('x', 3)]), ...txn(1, [R('x')], 'ok', [R('x', [1, 2, 3])]), ...txn(2, [R('x')], 'ok', [R('x', [1, 3])])],
    },
  },
  {
    type: 'lost-update',
    title: 'Lost update',
    checkers: ['list-append', 'rw-register'],
    definition: 'Two committed transactions read the same version of a key and both then wrote that key: the one that committed second overwrote the first without having seen it.',
    example: {
      checker: 'list-append',
      events: [...txn(0, [A('x', 0)]), ...txn(1, [R('x'), A('x', 1)], 'ok', [R('x', [0]), A('x', 1)]), ...txn(2, [R('x'), A('x', 2)], 'ok', [R('x', [0]), A('x', 2)])],
    },
  },
  {
    type: 'duplicate-elements',
    title: 'Duplicate elements',
    checkers: ['list-append'],
    definition: 'A read returned a list containing the same appended element twice, although each element is appended once.',
    example: { checker: 'list-append', events: [...txn(0, [A('x', 1)]), ...txn(1, [R('x')], 'ok', [R('x', [1, 1])])] },
  },
  {
    type: 'cyclic-versions',
    title: 'Cyclic version order',
    checkers: ['rw-register'],
    definition:
      "The orders in which a register's versions must have been installed, taken from the reads and from what the test assumes about keys (e.g. that each key is linearizable), contradict each other: version a before b and b before a.",
  },
  {
    type: 'garbage-read',
    title: 'Garbage read',
    checkers: ['list-append', 'rw-register'],
    definition: 'A transaction read a value that no transaction ever wrote. (rw-register reports it only with `--opt garbage-reads=true`, as Elle does not.)',
    example: { checker: 'list-append', events: [...txn(0, [A('x', 1)]), ...txn(1, [R('x')], 'ok', [R('x', [9])])] },
  },
  {
    type: 'empty-transaction-graph',
    title: 'Nothing to check',
    checkers: ['list-append', 'rw-register'],
    definition: 'No committed transaction left anything to check (no reads, or nothing ordered the transactions), so the checker cannot decide and says unknown.',
    note: 'Makes the verdict unknown, not invalid.',
  },
  {
    type: 'cycle-search-timeout',
    title: 'Cycle search ran out of time',
    checkers: ['list-append', 'rw-register'],
    definition: 'The search for a concrete cycle of some type in a large strongly connected component ran out of its budget; such a cycle may exist or not.',
    note: 'Makes the verdict unknown, not invalid.',
  },
];

/**
 * Examples of the process and real-time variants of the cycles, where the edge that closes the
 * cycle is a client's own order (process) or one transaction ending before the other began.
 */
export const VARIANT_EXAMPLES: Readonly<Record<string, Example>> = {
  'G0-realtime': {
    checker: 'list-append',
    events: [...txn(0, [A('x', 1)]), ...txn(1, [A('x', 2)]), ...txn(2, [R('x')], 'ok', [R('x', [2, 1])])],
  },
  'G1c-process': {
    checker: 'list-append',
    consistencyModels: ['strong-session-snapshot-isolation'],
    events: [
      invoke(0, 'txn', [A('x', 1), R('y')]),
      ...txn(1, [R('x')], 'ok', [R('x', [1])]),
      ...txn(1, [A('y', 1)]),
      complete(0, 'txn', 'ok', [A('x', 1), R('y', [1])]),
    ],
  },
  'G1c-realtime': {
    checker: 'list-append',
    events: [...txn(0, [R('y')], 'ok', [R('y', [1])]), ...txn(1, [A('y', 1)])],
  },
  'G-single-item-process': {
    checker: 'list-append',
    consistencyModels: ['strong-session-snapshot-isolation'],
    events: [...txn(0, [A('x', 1)]), ...txn(1, [A('x', 2)]), ...txn(1, [R('x')], 'ok', [R('x', [1])]), ...txn(2, [R('x')], 'ok', [R('x', [1, 2])])],
  },
  'G-single-item-realtime': {
    checker: 'list-append',
    events: [...txn(0, [A('x', 1)]), ...txn(1, [A('x', 2)]), ...txn(2, [R('x')], 'ok', [R('x', [1])]), ...txn(3, [R('x')], 'ok', [R('x', [1, 2])])],
  },
};
