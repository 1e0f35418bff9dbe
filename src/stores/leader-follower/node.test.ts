// The leader-follower store in the simulator: it replicates and fails over, and it loses
// acknowledged writes exactly where its design says it will (async split brain; semi-sync when
// the confirming follower dies with the primary), which the same client checks catch.
import { describe, expect, it } from 'vitest';
import type { StoreReply, StoreRequest } from '../protocol.ts';
import { Simulator } from '../../sim/simulator.ts';
import { appendRequest, clientViolations } from '../append-checks.ts';
import { LeaderFollowerNode, type LfMode } from './node.ts';

type LfSim = Simulator<StoreRequest, StoreReply>;
const READ: StoreRequest = { f: 'read', key: 'k' };
const append = (v: number): StoreRequest => appendRequest('k', v);

function makeSim(mode: LfMode, seed = 1): LfSim {
  return new Simulator<StoreRequest, StoreReply>({ seed, nodes: ['n1', 'n2', 'n3'], create: rt => new LeaderFollowerNode(rt, { mode }) });
}

function primaries(sim: LfSim): string[] {
  return sim.nodeIds.filter(id => sim.node(id)?.status().role === 'leader');
}

/** Reads the list at the single primary once the cluster has settled. */
function finalRead(sim: LfSim): number[] {
  sim.runFor(3000);
  const [primary, ...others] = primaries(sim);
  expect(others).toEqual([]);
  const r = sim.submit(primary!, READ);
  sim.runFor(100);
  expect(r.reply?.ok).toBe(true);
  return r.reply?.ok ? ((r.reply.value as number[] | null) ?? []) : [];
}

describe.each(['async', 'sync'] as const)('leader-follower store, %s', mode => {
  it('replicates to followers and rejects at a follower with a hint', () => {
    const sim = makeSim(mode);
    sim.runFor(100);
    expect(primaries(sim)).toEqual(['n1']);
    const writes = [1, 2, 3].map(v => sim.submit('n1', append(v)));
    sim.runFor(200);
    expect(writes.map(w => w.reply?.ok)).toEqual([true, true, true]);
    expect(sim.nodeIds.map(id => sim.node(id)!.status().seq)).toEqual([3, 3, 3]);
    const rejected = sim.submit('n2', READ);
    expect(rejected.reply).toMatchObject({ ok: false, error: { code: 'not-leader', leader: { id: 'n1' } } });
    expect(clientViolations(sim.requests, finalRead(sim))).toEqual([]);
  });

  it('fails over when the primary crashes, and the old primary rejoins as a follower', () => {
    const sim = makeSim(mode);
    sim.runFor(100);
    sim.submit('n1', append(1));
    sim.runFor(100);
    sim.crash('n1');
    sim.runFor(2000);
    const [next] = primaries(sim);
    expect(next).toBeDefined();
    const after = sim.submit(next!, append(2));
    sim.runFor(200);
    expect(after.reply?.ok).toBe(true);
    sim.restart('n1');
    sim.runFor(1000);
    expect(primaries(sim)).toEqual([next]);
    expect(sim.node('n1')!.status()).toMatchObject({ role: 'follower', leader: next, seq: 2 });
    expect(clientViolations(sim.requests, finalRead(sim))).toEqual([]);
  });

  it('on a partitioned primary: async acknowledges writes that are then lost, sync does not', () => {
    const sim = makeSim(mode);
    sim.runFor(100);
    sim.partition([['n1'], ['n2', 'n3']]);
    const w = sim.submit('n1', append(1));
    sim.runFor(2000);
    expect(primaries(sim).length).toBe(2);
    sim.heal();
    const problems = clientViolations(sim.requests, finalRead(sim));
    if (mode === 'async') {
      expect(w.reply?.ok).toBe(true);
      expect(problems).toContain('acknowledged append 1 lost');
    } else {
      expect(w.reply).toMatchObject({ ok: false, error: { code: 'timeout', definite: false } });
      expect(problems).toEqual([]);
    }
  });
});

describe('leader-follower store, sync mode', () => {
  it('still loses a confirmed write when the confirming follower dies with the primary', () => {
    const sim = makeSim('sync');
    sim.runFor(100);
    sim.partition([['n1', 'n2'], ['n3']]);
    const w = sim.submit('n1', append(1));
    sim.runFor(100);
    expect(w.reply?.ok).toBe(true);
    sim.crash('n1');
    sim.crash('n2');
    sim.heal();
    sim.runFor(2000);
    expect(primaries(sim)).toEqual(['n3']);
    sim.restart('n1');
    sim.restart('n2');
    expect(clientViolations(sim.requests, finalRead(sim))).toContain('acknowledged append 1 lost');
  });
});
