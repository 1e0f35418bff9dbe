// The MVCC store in the simulator: both modes abort the second of two conflicting writers;
// snapshot isolation reads one snapshot and allows write skew; read committed fixes each key when
// first touched, so keys read at different moments disagree; every acknowledged commit survives a
// crash; only the lowest node id serves.
import { describe, expect, it } from 'vitest';
import type { MicroOp, StoreReply, StoreRequest } from '../protocol.ts';
import { Simulator } from '../../sim/simulator.ts';
import { MvccNode, type MvccMode } from './node.ts';

function makeSim(mode: MvccMode, seed = 1): Simulator<StoreRequest, StoreReply> {
  return new Simulator<StoreRequest, StoreReply>({ seed, nodes: ['n1', 'n2', 'n3'], create: rt => new MvccNode(rt, { mode, stepMs: 4 }) });
}

const txn = (...ops: MicroOp[]): StoreRequest => ({ f: 'txn', ops });

function txnValue(reply: StoreReply | undefined): MicroOp[] {
  expect(reply).toMatchObject({ ok: true });
  return (reply as { value: MicroOp[] }).value;
}

describe('mvcc store', () => {
  it.each([
    ['snapshot', null],
    ['read-committed', 1],
  ] as const)('%s: a key first read after a concurrent commit shows %j; a key read earlier repeats', (mode, y) => {
    const sim = makeSim(mode);
    const reads = sim.submit('n1', txn(['r', 'x', null], ...Array.from({ length: 10 }, (): MicroOp => ['r', 'x', null]), ['r', 'y', null]));
    sim.runFor(8);
    sim.submit('n1', txn(['w', 'x', 1], ['w', 'y', 1]));
    sim.runFor(200);
    const seen = txnValue(reads.reply);
    expect(new Set(seen.slice(0, -1).map(op => op[2]))).toEqual(new Set([null]));
    expect(seen.at(-1)).toEqual(['r', 'y', y]);
  });

  it.each(['snapshot', 'read-committed'] as const)('%s: of two concurrent appends to one key the second committer aborts', mode => {
    const sim = makeSim(mode);
    const a = sim.submit('n1', txn(['append', 'x', 1], ['r', 'y', null]));
    const b = sim.submit('n1', txn(['append', 'x', 2], ['r', 'y', null]));
    sim.runFor(200);
    const codes = [a.reply, b.reply].map(r => (r?.ok ? 'ok' : r?.error.code));
    expect(codes.sort()).toEqual(['aborted', 'ok']);
    expect([a.reply, b.reply].find(r => !r?.ok)).toMatchObject({ error: { definite: true } });
  });

  it('snapshot: write skew commits both transactions', () => {
    const sim = makeSim('snapshot');
    const a = sim.submit('n1', txn(['r', 'x', null], ['append', 'y', 1]));
    const b = sim.submit('n1', txn(['r', 'y', null], ['append', 'x', 2]));
    sim.runFor(200);
    expect(txnValue(a.reply)[0]).toEqual(['r', 'x', null]);
    expect(txnValue(b.reply)[0]).toEqual(['r', 'y', null]);
  });

  it('keeps every acknowledged commit across a crash and rejects appends to registers', () => {
    const sim = makeSim('snapshot');
    const a = sim.submit('n1', txn(['append', 'l', 1], ['w', 'k', 5]));
    sim.runFor(100);
    txnValue(a.reply);
    sim.crash('n1');
    sim.restart('n1');
    const bad = sim.submit('n1', txn(['append', 'l', 2], ['append', 'k', 3]));
    sim.runFor(100);
    expect(bad.reply).toMatchObject({ ok: false, error: { code: 'type-mismatch' } });
    const r = sim.submit('n1', txn(['r', 'l', null], ['r', 'k', null]));
    sim.runFor(100);
    expect(txnValue(r.reply)).toEqual([['r', 'l', [1]], ['r', 'k', 5]]);
  });

  it('only the lowest node id serves; the others name it', () => {
    const sim = makeSim('read-committed');
    const r = sim.submit('n2', { f: 'read', key: 'k' });
    expect(r.reply).toMatchObject({ ok: false, error: { code: 'not-leader', leader: { id: 'n1' } } });
    expect(sim.node('n2')!.status()).toMatchObject({ role: 'follower', leader: 'n1', mode: 'read-committed' });
  });
});
