// The last-writer-wins store in the simulator: nodes converge through gossip, reads are local
// (so stale), and a node whose clock lags loses its acknowledged writes to older ones.
import { describe, expect, it } from 'vitest';
import type { StoreReply, StoreRequest } from '../protocol.ts';
import { Simulator } from '../../sim/simulator.ts';
import { compareStamps, LwwNode } from './node.ts';

const NODES = ['n1', 'n2', 'n3'];
const READ: StoreRequest = { f: 'read', key: 'k' };
const write = (value: unknown): StoreRequest => ({ f: 'write', key: 'k', value });

function makeSim(seed = 1): Simulator<StoreRequest, StoreReply> {
  return new Simulator<StoreRequest, StoreReply>({ seed, nodes: NODES, create: rt => new LwwNode(rt, { gossipMs: 50 }) });
}

function value(sim: Simulator<StoreRequest, StoreReply>, id: string, req: StoreRequest = READ): unknown {
  const r = sim.submit(id, req);
  // Reads answer at once; writes after their flush.
  if (!r.reply) sim.runFor(10);
  const reply = r.reply as StoreReply;
  return reply.ok ? reply.value : reply.error.code;
}

describe('lww store', () => {
  it('orders stamps by time, then node id', () => {
    expect(compareStamps([5, 'n1'], [4, 'n9'])).toBeGreaterThan(0);
    expect(compareStamps([5, 'n1'], [5, 'n2'])).toBeLessThan(0);
  });

  it('serves reads locally (stale right after a write elsewhere) and converges through gossip', () => {
    const sim = makeSim();
    const w = sim.submit('n1', write(1));
    expect(value(sim, 'n2')).toBeNull();
    sim.runFor(100);
    expect(w.reply).toMatchObject({ ok: true });
    for (const id of NODES) expect(value(sim, id)).toBe(1);
  });

  it('anti-entropy brings a partitioned node up to date after healing', () => {
    const sim = makeSim();
    sim.partition([['n1', 'n2'], ['n3']]);
    sim.submit('n1', write(1));
    sim.runFor(200);
    expect(value(sim, 'n3')).toBeNull();
    sim.heal();
    sim.runFor(500);
    expect(value(sim, 'n3')).toBe(1);
  });

  it('a write from a node whose clock lags is acknowledged, then lost to an older write', () => {
    const sim = makeSim();
    sim.setClockOffset('n1', -10_000);
    sim.submit('n2', write('first'));
    sim.runFor(100);
    const later = sim.submit('n1', write('second'));
    sim.runFor(500);
    expect(later.reply).toMatchObject({ ok: true });
    for (const id of NODES) expect(value(sim, id)).toBe('first');
    expect(sim.node('n1')!.status().discarded).toBeGreaterThan(0);
  });

  it('keeps acknowledged writes across a crash, and CAS compares the local value', () => {
    const sim = makeSim();
    sim.partition([['n1'], ['n2', 'n3']]);
    sim.submit('n1', write(1));
    sim.runFor(10);
    sim.crash('n1');
    sim.restart('n1');
    expect(value(sim, 'n1')).toBe(1);
    expect(value(sim, 'n1', { f: 'cas', key: 'k', from: 1, to: 2 })).toBeUndefined();
    expect(value(sim, 'n2', { f: 'cas', key: 'k', from: 1, to: 3 })).toBe('cas-mismatch');
  });
});
