/**
 * The rw-register workload: transactions of writes to and reads of registers named by integer
 * keys, judged by the Elle-style rw-register checker.
 *
 * Op shape: invoke `{f: "txn", value: [["w", k, v] | ["r", k, null], ...]}`; the ok completion
 * fills each read with the value it saw (null for a never-written register). Written values are
 * unique per key. No final phase.
 */
import type { Workload } from '../../src/core/workload.ts';
import { lift } from '../../src/generator/lift.ts';
import { rwRegister, type ElleOptions, type RwRegisterOptions } from '../../checkers/elle/index.ts';
import { TxnSource, type TxnOptions } from '../list-append/txn-source.ts';

export type RwRegisterWorkloadOptions = TxnOptions & ElleOptions & RwRegisterOptions;

/** A source of rw-register txns: `source.next(rng)` is `{f: 'txn', value: [...]}`. */
export function rwRegisterTxns(opts: TxnOptions = {}): TxnSource {
  return new TxnSource('w', opts);
}

export function rwRegisterWorkload(opts: RwRegisterWorkloadOptions = {}): Workload {
  const source = rwRegisterTxns(opts);
  return {
    name: 'rw-register',
    generator: lift((_test, ctx) => source.next(ctx.rng)),
    finalGenerator: null,
    checker: rwRegister(opts),
  };
}
