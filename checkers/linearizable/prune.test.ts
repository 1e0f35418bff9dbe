// Pruning of indeterminate register writes nobody observes: what is dropped and what is kept.
import { describe, expect, it } from 'vitest';
import type { Op } from '../../src/core/op.ts';
import { createModel } from './models/index.ts';
import { prepareHistory } from './prepare.ts';
import { pruneUnobservedWrites } from './prune.ts';

function history(events: [number, Op['type'], string, unknown][]): Op[] {
  return events.map(([process, type, f, value], index) => ({ index, time: index, process, type, f, value }));
}

/** Crashed writes of 100..(100+n) nobody reads, around a write and a read of 1. */
function crashedWrites(n: number, extra: [number, Op['type'], string, unknown][] = []): Op[] {
  const events: [number, Op['type'], string, unknown][] = [];
  for (let i = 0; i < n; i++) events.push([10 + i, 'invoke', 'write', 100 + i], [10 + i, 'info', 'write', 100 + i]);
  events.push([0, 'invoke', 'write', 1], [0, 'ok', 'write', 1], [1, 'invoke', 'read', null], [1, 'ok', 'read', 1], ...extra);
  return history(events);
}

function prunedCount(model: string, h: Op[]): number {
  const m = createModel(model, 0);
  const [p] = prepareHistory(h, m).partitions;
  return pruneUnobservedWrites(m, p!).dropped;
}

describe('pruneUnobservedWrites', () => {
  it('drops crashed writes whose value nobody reads or compares with', () => {
    expect(prunedCount('cas-register', crashedWrites(40))).toBe(40);
  });

  it('keeps crashed writes and cas ops whose value is read or expected by a cas', () => {
    const read = crashedWrites(3, [[2, 'invoke', 'read', null], [2, 'ok', 'read', 101]]);
    expect(prunedCount('cas-register', read)).toBe(2);
    const cas = crashedWrites(3, [[2, 'invoke', 'cas', [102, 7]], [2, 'info', 'cas', [102, 7]]]);
    expect(prunedCount('cas-register', cas)).toBe(3);
  });

  it('leaves partitions with failed-compare cas ops (etcd semantics) alone', () => {
    const h = crashedWrites(3, [[2, 'invoke', 'cas', [5, 6]], [2, 'fail', 'cas', [5, 6]]]);
    expect(prunedCount('etcd-register', h)).toBe(0);
    expect(prunedCount('cas-register', h)).toBe(3);
  });

  it('does not touch other models', () => {
    expect(prunedCount('mutex', history([[0, 'invoke', 'acquire', null], [0, 'info', 'acquire', null]]))).toBe(0);
  });
});
