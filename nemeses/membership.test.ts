// The membership nemesis: refused up front for a DB that cannot change its members; start removes
// one member (fail when nothing changed), stop adds back every node it removed, teardown too.
import { describe, expect, it } from 'vitest';
import type { DB } from '../src/core/db.ts';
import { UsageError } from '../src/core/errors.ts';
import { runContext } from '../src/runner/context.ts';
import type { MembershipChange, MembershipDb } from './membership.ts';
import { makeNemesisPackage } from './registry.ts';

const nodes = ['n1', 'n2', 'n3'];
const plain: DB = { name: 'plain', setup: async () => {}, teardown: async () => {}, honoursFakeClock: true };
const run = runContext({ cluster: { nodes: [], remote: () => { throw new Error('no remotes'); } } });
const signal = new AbortController().signal;

function raftLike(removals: MembershipChange[]): MembershipDb & { calls: string[] } {
  const calls: string[] = [];
  return {
    ...plain,
    name: 'raft-like',
    calls,
    removeMember: async () => {
      const c = removals.shift()!;
      calls.push(`remove ${c.node}`);
      return c;
    },
    addMember: async (_ctx, node) => {
      calls.push(`add ${node}`);
      return { node, applied: true, detail: 'ok' };
    },
  };
}

describe('membership nemesis', () => {
  it('is refused for a DB that cannot change its members', () => {
    expect(() => makeNemesisPackage(['membership'], { nodes, db: plain })).toThrow(UsageError);
    expect(() => makeNemesisPackage(['membership'], { nodes, db: plain })).toThrow(/db plain cannot remove and add members/);
  });

  it('removes on start, adds every removed node back on stop, and answers fail when nothing changed', async () => {
    const db = raftLike([
      { node: 'n2', applied: true, detail: 'ok' },
      { node: '-', applied: false, detail: 'no leader' },
      { node: 'n3', applied: true, detail: 'ok' },
    ]);
    const { nemesis } = makeNemesisPackage(['membership'], { nodes, db })!;
    expect(await nemesis.invoke(run, { f: 'start-membership', value: null }, { signal })).toEqual({ type: 'ok', value: { nodes: ['n2'], removed: 'n2' } });
    expect(await nemesis.invoke(run, { f: 'start-membership', value: null }, { signal })).toMatchObject({ type: 'fail', error: '-: no leader' });
    expect(await nemesis.invoke(run, { f: 'stop-membership', value: null }, { signal })).toEqual({ type: 'ok', value: { nodes: ['n2'], added: ['n2'] } });
    await nemesis.invoke(run, { f: 'start-membership', value: null }, { signal });
    await nemesis.teardown!(run);
    expect(db.calls).toEqual(['remove n2', 'remove -', 'add n2', 'remove n3', 'add n3']);
  });
});
