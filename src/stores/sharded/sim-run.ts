/**
 * A whole test of the sharded store inside the deterministic simulator: concurrent clients run
 * the list-append or rw-register workload's transactions (the workloads' own generators) against
 * the nodes while a seeded schedule partitions the network, crashes and restarts nodes and
 * rebalances shards; the history they record goes to the workload's own checker (Elle-style
 * list-append / rw-register, strict serializable). No root, no processes: a test can show the
 * correct store valid and each bug flag caught, and `bench/detection.ts --sim` counts seeds.
 */
import { listAppend, rwRegister } from '../../../checkers/elle/index.ts';
import type { CheckResult } from '../../core/validity.ts';
import type { Op } from '../../core/op.ts';
import { makeRng } from '../../generator/rng.ts';
import { listAppendTxns } from '../../../workloads/list-append/index.ts';
import { rwRegisterTxns } from '../../../workloads/rw-register/index.ts';
import { Simulator } from '../../sim/simulator.ts';
import type { MicroOp, StoreReply, StoreRequest } from '../protocol.ts';
import { ShardedNode, type ShardedBug } from './node.ts';

export type Fault = 'partition' | 'kill' | 'rebalance';

export interface ShardedSimOptions {
  seed: number;
  workload: 'list-append' | 'rw-register';
  bugs?: readonly ShardedBug[];
  /** Simulated seconds of client load (default 20). */
  seconds?: number;
  nodes?: number;
  clients?: number;
  /** Faults drawn from, one every `faultEveryMs` (default all three, every 1000 ms). */
  faults?: readonly Fault[];
  faultEveryMs?: number;
  /** A client's op left unanswered this long is recorded `info` (default 5000 ms). */
  opTimeoutMs?: number;
}

export interface ShardedSimResult {
  history: Op[];
  check: CheckResult;
  /** What the schedule did, one line per fault. */
  faults: string[];
  counts: Record<'ok' | 'fail' | 'info', number>;
}

interface ClientState {
  process: number;
  node: string;
  busy: { invoked: number; value: MicroOp[]; reply: StoreReply | undefined } | undefined;
}

export async function runShardedSim(o: ShardedSimOptions): Promise<ShardedSimResult> {
  const nodes = Array.from({ length: o.nodes ?? 5 }, (_, i) => `n${i + 1}`);
  const bugs = new Set(o.bugs ?? []);
  const sim = new Simulator<StoreRequest, StoreReply>({ seed: o.seed, nodes, create: rt => new ShardedNode(rt, { bugs }) });
  const rng = makeRng(o.seed * 7919 + 1);
  const source = o.workload === 'list-append' ? listAppendTxns() : rwRegisterTxns();
  const emptyRead = o.workload === 'list-append' ? [] : null;
  const faultsAllowed = o.faults ?? ['partition', 'kill', 'rebalance'];
  const faultEvery = o.faultEveryMs ?? 1000;
  const timeout = o.opTimeoutMs ?? 5000;
  const concurrency = o.clients ?? 10;
  const history: Op[] = [];
  const faults: string[] = [];
  const record = (op: Pick<Op, 'process' | 'type' | 'f' | 'value' | 'node'> & { error?: string }): void =>
    void history.push({ ...op, index: history.length, time: Math.round(sim.time * 1e6) });

  sim.runFor(2000); // elections
  const clients: ClientState[] = Array.from({ length: concurrency }, (_, i) => ({ process: i, node: nodes[i % nodes.length]!, busy: undefined }));
  const start = sim.time;
  const end = start + (o.seconds ?? 20) * 1000;
  let nextFault = start + faultEvery;
  let heal: (() => void) | undefined;

  const invoke = (c: ClientState): void => {
    const value = source.next(rng).value as MicroOp[];
    record({ process: c.process, type: 'invoke', f: 'txn', value, node: c.node });
    const busy: NonNullable<ClientState['busy']> = { invoked: sim.time, value, reply: undefined };
    c.busy = busy;
    const node = sim.node(c.node) as ShardedNode | undefined;
    if (!node) busy.reply = { ok: false, error: { code: 'unavailable', message: 'node down', definite: true } };
    else node.submit({ f: 'txn', ops: value }, r => void (busy.reply ??= r));
  };
  const complete = (c: ClientState): void => {
    const b = c.busy!;
    const r = b.reply;
    if (r?.ok) {
      const seen = (r.value as MicroOp[]).map(([f, k, v]) => [f, k, f === 'r' && v === null ? emptyRead : v]);
      record({ process: c.process, type: 'ok', f: 'txn', value: seen, node: c.node });
    } else {
      const definite = r !== undefined && r.error.definite;
      record({ process: c.process, type: definite ? 'fail' : 'info', f: 'txn', value: b.value, node: c.node, error: r ? r.error.code : 'timeout' });
      if (!definite) c.process += concurrency;
    }
    c.busy = undefined;
  };

  while (sim.time < end) {
    for (const c of clients) {
      if (c.busy && (c.busy.reply !== undefined || sim.time - c.busy.invoked >= timeout)) complete(c);
      if (!c.busy) invoke(c);
    }
    if (sim.time >= nextFault && faultsAllowed.length > 0) {
      heal?.();
      heal = injectFault(sim, faultsAllowed[rng.int(faultsAllowed.length)]!, rng.next.bind(rng), faults);
      nextFault += faultEvery;
    }
    sim.runFor(1);
  }
  heal?.();
  // Let in-flight ops finish after the faults end.
  for (let t = 0; t < timeout && clients.some(c => c.busy); t++) {
    for (const c of clients) if (c.busy && (c.busy.reply !== undefined || sim.time - c.busy.invoked >= timeout)) complete(c);
    sim.runFor(1);
  }
  for (const c of clients) if (c.busy) complete(c);

  const checker = o.workload === 'list-append' ? listAppend() : rwRegister();
  const check = await checker.check(history, {});
  const counts = { ok: 0, fail: 0, info: 0 };
  for (const op of history) if (op.type !== 'invoke') counts[op.type]++;
  return { history, check, faults, counts };
}

/** Starts one fault; returns how to end it (partitions heal, crashed nodes restart). */
function injectFault(sim: Simulator<StoreRequest, StoreReply>, fault: Fault, random: () => number, log: string[]): (() => void) | undefined {
  const ids = sim.nodeIds;
  const at = `${(sim.time / 1000).toFixed(1)}s`;
  if (fault === 'partition') {
    const shuffled = [...ids].sort(() => random() - 0.5);
    const cut = 1 + Math.floor(random() * (ids.length - 1));
    const groups = [shuffled.slice(0, cut), shuffled.slice(cut)];
    sim.partition(groups);
    log.push(`${at} partition ${groups.map(g => g.join(',')).join(' | ')}`);
    return () => sim.heal();
  }
  if (fault === 'kill') {
    const victim = ids[Math.floor(random() * ids.length)]!;
    sim.crash(victim);
    log.push(`${at} kill ${victim}`);
    return () => sim.restart(victim);
  }
  const live = ids.filter(id => sim.isUp(id));
  const mover = sim.node(live[Math.floor(random() * live.length)]!) as ShardedNode | undefined;
  const split = random() < 0.3;
  mover?.rebalance(split, r => log.push(`${at} rebalance: ${r.ok ? String(r.value) : `${r.error.code}: ${r.error.message}`}`));
  return undefined;
}
