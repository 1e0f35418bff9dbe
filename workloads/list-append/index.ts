/**
 * The list-append workload: transactions of appends to and reads of lists named by integer keys,
 * judged by the Elle-style list-append checker.
 *
 * Op shape: invoke `{f: "txn", value: [["append", k, v] | ["r", k, null], ...]}`; the ok
 * completion fills each read with the list it saw, e.g. `["r", 3, [1, 2]]`. Appended values are
 * unique per key. No final phase.
 */
import type { Workload } from '../../src/core/workload.ts';
import { lift } from '../../src/generator/lift.ts';
import { listAppend, type ElleOptions, type KeyOrderOptions } from '../../checkers/elle/index.ts';
import { TxnSource, type TxnOptions } from './txn-source.ts';

export type { TxnOptions, KeyDistribution, MicroOp } from './txn-source.ts';
export { TxnSource } from './txn-source.ts';

export type ListAppendWorkloadOptions = TxnOptions & ElleOptions & KeyOrderOptions;

/** A source of list-append txns: `source.next(rng)` is `{f: 'txn', value: [...]}`. */
export function listAppendTxns(opts: TxnOptions = {}): TxnSource {
  return new TxnSource('append', opts);
}

export function listAppendWorkload(opts: ListAppendWorkloadOptions = {}): Workload {
  const source = listAppendTxns(opts);
  return {
    name: 'list-append',
    generator: lift((_test, ctx) => source.next(ctx.rng)),
    finalGenerator: null,
    checker: listAppend(opts),
  };
}
