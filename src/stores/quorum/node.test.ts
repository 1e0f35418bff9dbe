// The quorum store in the simulator: it serves reads and writes through quorums and survives
// restarts, and it goes wrong exactly where its design says: stale reads when R + W <= N, writes
// that cannot reach W replicas stay undecided, and CAS is not atomic across coordinators.
import { describe, expect, it } from 'vitest';
import type { StoreReply, StoreRequest } from '../protocol.ts';
import { Simulator } from '../../sim/simulator.ts';
import { compareVersions, QuorumNode, type QuorumMessage } from './node.ts';

const NODES = ['n1', 'n2', 'n3'];
const READ: StoreRequest = { f: 'read', key: 'k' };
const write = (value: unknown): StoreRequest => ({ f: 'write', key: 'k', value });

function makeSim(r: number, w: number, seed = 1): Simulator<StoreRequest, StoreReply> {
  return new Simulator<StoreRequest, StoreReply>({ seed, nodes: NODES, create: rt => new QuorumNode(rt, { n: 3, r, w, requestTimeoutMs: 1000 }) });
}

function ok(reply: StoreReply | undefined): unknown {
  expect(reply?.ok).toBe(true);
  return reply?.ok ? reply.value : undefined;
}

describe('quorum store', () => {
  it('orders versions by counter, then writer id', () => {
    expect(compareVersions([2, 'n1'], [1, 'n3'])).toBeGreaterThan(0);
    expect(compareVersions([2, 'n1'], [2, 'n3'])).toBeLessThan(0);
    expect(compareVersions([2, 'n2'], [2, 'n2'])).toBe(0);
  });

  it('with R + W > N a read at any node sees an acknowledged write, also after every node restarts', () => {
    const sim = makeSim(2, 2);
    const w = sim.submit('n1', write(7));
    sim.runFor(100);
    ok(w.reply);
    for (const id of NODES) {
      const r = sim.submit(id, READ);
      sim.runFor(100);
      expect(ok(r.reply)).toBe(7);
    }
    for (const id of NODES) sim.crash(id);
    for (const id of NODES) sim.restart(id);
    const r = sim.submit('n2', READ);
    sim.runFor(100);
    expect(ok(r.reply)).toBe(7);
  });

  it('with R = W = 1 a read on the other side of a partition misses an acknowledged write', () => {
    const sim = makeSim(1, 1);
    sim.partition([['n1'], ['n2', 'n3']]);
    const w = sim.submit('n1', write(1));
    sim.runFor(100);
    ok(w.reply);
    const r = sim.submit('n2', READ);
    sim.runFor(100);
    expect(ok(r.reply)).toBeNull();
  });

  it('a write that cannot reach W replicas times out as undecided, a read as a definite failure', () => {
    const sim = makeSim(2, 2);
    sim.partition([['n1'], ['n2', 'n3']]);
    const w = sim.submit('n1', write(1));
    const r = sim.submit('n1', READ);
    sim.runFor(2000);
    expect(w.reply).toMatchObject({ ok: false, error: { code: 'timeout', definite: false } });
    expect(r.reply).toMatchObject({ ok: false, error: { code: 'unavailable', definite: true } });
  });

  it('CAS is a read then a write: two coordinators can both succeed from the same value', () => {
    const bothSucceed = (seed: number): boolean => {
      const sim = makeSim(2, 2, seed);
      const a = sim.submit('n1', { f: 'cas', key: 'k', from: null, to: 'a' });
      const b = sim.submit('n2', { f: 'cas', key: 'k', from: null, to: 'b' });
      sim.runFor(200);
      return a.reply?.ok === true && b.reply?.ok === true;
    };
    expect(Array.from({ length: 20 }, (_, i) => i + 1).some(bothSucceed)).toBe(true);
  });

  it('answers transactions and malformed peer messages without harm', () => {
    const sim = makeSim(2, 2);
    const t = sim.submit('n1', { f: 'txn', ops: [['r', 'k', null]] });
    expect(t.reply).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const node = sim.node('n1')!;
    node.receive('n2', { type: 'put', id: 'x', key: 'k' } as unknown as QuorumMessage);
    node.receive('n2', null as unknown as QuorumMessage);
    const r = sim.submit('n1', READ);
    sim.runFor(100);
    expect(ok(r.reply)).toBeNull();
  });
});
