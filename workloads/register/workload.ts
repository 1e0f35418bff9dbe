/**
 * The register workload as `--workload register` runs it: the op generator (compare-and-sets
 * expecting a recent write, or with `casFrom: 'read'` what their client last read), final reads
 * until one succeeds, and the checker (linearizability against an absent-cas-register, stale reads).
 */
import type { Workload } from '../../src/core/workload.ts';
import { lift, repeat, someFreeProcess, timeLimit, untilOk } from '../../src/generator/index.ts';
import { compose } from '../../checkers/compose.ts';
import { linearizable } from '../../checkers/linearizable/index.ts';
import { staleReads } from '../../checkers/stale-reads/stale-reads.ts';
import { LastReads, RecentWrites, observing, registerOp } from './index.ts';

/** How long final reads may try before the run says the cluster did not recover. */
const FINAL_READS_S = 30;

export interface RegisterRunOptions {
  readRatio: number;
  casRatio: number;
  casFrom: 'recent' | 'read';
}

export function registerWorkload({ readRatio, casRatio, casFrom }: RegisterRunOptions): Workload {
  let n = 0;
  const recent = new RecentWrites();
  const reads = new LastReads(false);
  const readModifyWrite = lift((_test, ctx) => {
    const process = someFreeProcess(ctx);
    if (process === undefined) return registerOp(ctx.rng, ++n, { readRatio, casRatio }, recent);
    return { ...registerOp(ctx.rng, ++n, { readRatio, casRatio }, recent, (key) => reads.of(process, key)), process };
  });
  return {
    name: 'register',
    generator: casFrom === 'read' ? observing(readModifyWrite, (e) => reads.note(e)) : lift((_test, ctx) => registerOp(ctx.rng, ++n, { readRatio, casRatio }, recent)),
    // After healing, read until a read succeeds (on any node, within a bounded time): did the cluster come back?
    finalGenerator: timeLimit(FINAL_READS_S, untilOk(repeat({ f: 'read', value: null }))),
    // A read of null means the register is empty, so a store that loses every write is caught.
    checker: compose([linearizable({ model: 'absent-cas-register', init: null }), staleReads()]),
  };
}
