// The membership nemesis: refused up front for a DB that cannot change its members; start removes
// one member (fail when nothing changed), stop adds back every node it removed, teardown too;
// completions carry the members the DB reports; members are added back after every other heal.
import { describe, expect, it } from 'vitest';
import type { DB } from '../src/core/db.ts';
import { UsageError } from '../src/core/errors.ts';
import { nemesis as onNemesis, simulate } from '../src/generator/index.ts';
import { runContext } from '../src/runner/context.ts';
import type { MembershipChange, MembershipDb } from '../src/core/db.ts';
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

  it('records the members the DB reports after each change', async () => {
    const db: MembershipDb = {
      ...raftLike([]),
      removeMember: async () => ({ node: 'n2', applied: true, detail: 'ok', members: ['n1', 'n3'] }),
      addMember: async (_ctx, node) => ({ node, applied: true, detail: 'ok', members: ['n1', 'n2', 'n3'] }),
    };
    const { nemesis } = makeNemesisPackage(['membership'], { nodes, db })!;
    expect(await nemesis.invoke(run, { f: 'start-membership', value: null }, { signal })).toEqual({ type: 'ok', value: { nodes: ['n2'], removed: 'n2', members: ['n1', 'n3'] } });
    expect(await nemesis.invoke(run, { f: 'stop-membership', value: null }, { signal })).toEqual({ type: 'ok', value: { nodes: ['n2'], added: ['n2'], members: ['n1', 'n2', 'n3'] } });
  });

  it('adds members back after every other fault is healed, at the end of the run and at teardown', async () => {
    const membership = raftLike([{ node: 'n2', applied: true, detail: 'ok' }]);
    const db = { ...membership, kill: async () => void membership.calls.push('kill'), start: async () => void membership.calls.push('restart') };
    const pkg = makeNemesisPackage(['membership', 'kill', 'pause'], { nodes, db })!;
    const heals = simulate(onNemesis(pkg.finalGenerator!)).filter((o) => o.type === 'invoke').map((o) => o.f);
    expect(heals).toEqual(['stop-kill', 'stop-pause', 'stop-membership']);
    const onNodes = runContext({ cluster: { nodes: nodes.map((name, i) => ({ name, address: `10.0.0.${i + 1}` })), remote: () => { throw new Error('no remotes'); } } });
    await pkg.nemesis.invoke(onNodes, { f: 'start-membership', value: null }, { signal });
    await pkg.nemesis.invoke(onNodes, { f: 'start-kill', value: { nodes: ['n3'] } }, { signal });
    await pkg.nemesis.teardown!(onNodes);
    expect(membership.calls).toEqual(['remove n2', 'kill', 'restart', 'add n2']);
  });
});
