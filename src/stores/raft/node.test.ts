// Raft node logic in the deterministic simulator: safety invariants under random crash / restart /
// partition schedules (fast-check), and each bug flag caught by the same checks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../sim/simulator.ts';
import type { StoreReply, StoreRequest } from '../protocol.ts';
import { appendRequest, clientViolations } from '../append-checks.ts';
import { STORES } from '../registry.ts';
import { RaftNode, type RaftBug } from './node.ts';

type RaftSim = Simulator<StoreRequest, StoreReply>;

function makeSim(seed: number, size: number, bugs: RaftBug[] = [], fsyncMs: [number, number] = [0, 2], dropRate = 0): RaftSim {
  const nodes = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  // The disk syncs as the real store's would with these bugs.
  const syncMode = STORES.raft!.syncMode(new Set(bugs));
  const sim = new Simulator<StoreRequest, StoreReply>({ seed, nodes, fsyncMs, syncMode, create: rt => new RaftNode(rt, { bugs: new Set(bugs) }) });
  const links = nodes.flatMap(from => nodes.filter(to => to !== from).map(to => ({ from, to })));
  if (dropRate > 0) sim.network.setPacketFaults(links, { loss: dropRate });
  return sim;
}

function raft(sim: RaftSim, id: string): RaftNode | undefined {
  return sim.node(id) as RaftNode | undefined;
}

/**
 * Checked after every event: at most one leader per term, committed entries never change, and a
 * new leader holds every committed entry. Violations are collected, not thrown, so bug-flag tests
 * can assert that they happen.
 */
class Invariants {
  readonly violations: string[] = [];
  private readonly leaders = new Map<number, string>();
  private readonly committed: { term: number; command: string }[] = [];
  private readonly checkedUpTo = new Map<string, number>();
  private readonly sim: RaftSim;

  constructor(sim: RaftSim) {
    this.sim = sim;
  }

  check(): void {
    for (const id of this.sim.nodeIds) {
      const node = raft(this.sim, id);
      if (!node) {
        this.checkedUpTo.delete(id);
        continue;
      }
      const st = node.status();
      if (st.role === 'leader') this.checkLeader(id, node, st.term);
      this.checkCommitted(id, node, st.commitIndex as number);
    }
  }

  private checkLeader(id: string, node: RaftNode, term: number): void {
    const known = this.leaders.get(term);
    if (known === undefined) {
      this.leaders.set(term, id);
      for (const [i, c] of this.committed.entries()) {
        if (node.entryTerm(i + 1) !== c.term) this.violate(`leader ${id} of term ${term} lacks committed entry ${i + 1}`);
      }
    } else if (known !== id) {
      this.violate(`two leaders in term ${term}: ${known} and ${id}`);
    }
  }

  private checkCommitted(id: string, node: RaftNode, commitIndex: number): void {
    for (let i = (this.checkedUpTo.get(id) ?? 0) + 1; i <= commitIndex; i++) {
      const entry = { term: node.entryTerm(i), command: JSON.stringify(node.entryCommand(i)) };
      const known = this.committed[i - 1];
      if (!known) this.committed[i - 1] = entry;
      else if (known.term !== entry.term || known.command !== entry.command) {
        this.violate(`committed entry ${i} differs on ${id}: term ${entry.term} vs ${known.term}`);
      }
    }
    this.checkedUpTo.set(id, Math.max(commitIndex, this.checkedUpTo.get(id) ?? 0));
  }

  /** Log matching: two logs with the same term at an index agree on everything up to it. */
  checkLogMatching(): void {
    const nodes = this.sim.nodeIds.map(id => raft(this.sim, id)).filter((n): n is RaftNode => n !== undefined);
    for (const a of nodes) {
      for (const b of nodes) {
        if (a === b) continue;
        const last = Math.min(a.status().lastLogIndex as number, b.status().lastLogIndex as number);
        let i = last;
        while (i > 0 && a.entryTerm(i) !== b.entryTerm(i)) i--;
        for (; i > 0; i--) {
          if (a.entryTerm(i) !== b.entryTerm(i) || JSON.stringify(a.entryCommand(i)) !== JSON.stringify(b.entryCommand(i))) {
            this.violate(`logs of ${a.status().node} and ${b.status().node} differ at ${i} below a matching entry`);
            return;
          }
        }
      }
    }
  }

  private violate(msg: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${this.sim.time.toFixed(1)}: ${msg}`);
  }
}

const KEY = 'k';

const appendReq = (v: number): StoreRequest => appendRequest(KEY, v);

const READ: StoreRequest = { f: 'read', key: KEY };

function leaderOf(sim: RaftSim): string | undefined {
  return sim.nodeIds.find(id => raft(sim, id)?.status().role === 'leader');
}

/** Runs until a read of KEY succeeds at some leader; returns its value. */
function finalRead(sim: RaftSim): number[] {
  for (let attempt = 0; attempt < 50; attempt++) {
    const leader = leaderOf(sim);
    if (leader) {
      const r = sim.submit(leader, READ);
      sim.runFor(500);
      if (r.reply?.ok) return (r.reply.value as number[] | null) ?? [];
    } else {
      sim.runFor(200);
    }
  }
  throw new Error('no leader served the final read');
}

type Action =
  | { kind: 'crash'; nodes: boolean[] }
  | { kind: 'restart'; node: number }
  | { kind: 'restart-all' }
  | { kind: 'partition'; sides: boolean[] }
  | { kind: 'heal' }
  | { kind: 'ops'; count: number }
  | { kind: 'member'; node: number; add: boolean };

function actionArb(size: number): fc.Arbitrary<Action> {
  return fc.oneof(
    fc.record({ kind: fc.constant('crash' as const), nodes: fc.array(fc.boolean(), { minLength: size, maxLength: size }) }),
    fc.record({ kind: fc.constant('restart' as const), node: fc.nat(size - 1) }),
    fc.constant({ kind: 'restart-all' as const }),
    fc.record({ kind: fc.constant('partition' as const), sides: fc.array(fc.boolean(), { minLength: size, maxLength: size }) }),
    fc.constant({ kind: 'heal' as const }),
    fc.record({ kind: fc.constant('ops' as const), count: fc.integer({ min: 1, max: 6 }) }),
  );
}

interface RunResult {
  invariants: string[];
  clients: string[];
  acked: number;
}

/** Plays a schedule with a steady trickle of client ops, then heals, restarts all and reads. */
function play(sim: RaftSim, schedule: readonly { gap: number; action: Action }[]): RunResult {
  const inv = new Invariants(sim);
  sim.onEvent = () => inv.check();
  const ids = sim.nodeIds;
  let next = 0;
  const clientOp = (): void => {
    const leader = leaderOf(sim);
    const target = leader && sim.random() < 0.7 ? leader : ids[Math.floor(sim.random() * ids.length)]!;
    sim.submit(target, sim.random() < 0.6 ? appendReq(next++) : READ);
  };
  for (const { gap, action } of schedule) {
    for (let t = 0; t < gap; t += 25) {
      sim.runFor(Math.min(25, gap - t));
      clientOp();
    }
    switch (action.kind) {
      case 'crash':
        for (const [i, id] of ids.entries()) if (action.nodes[i]) sim.crash(id);
        break;
      case 'restart-all':
        for (const id of ids) sim.restart(id);
        break;
      case 'restart':
        sim.restart(ids[action.node]!);
        break;
      case 'partition':
        sim.partition([ids.filter((_, i) => action.sides[i]), ids.filter((_, i) => !action.sides[i])]);
        break;
      case 'heal':
        sim.heal();
        break;
      case 'ops':
        for (let i = 0; i < action.count; i++) clientOp();
        break;
      case 'member': {
        const leader = leaderOf(sim);
        const node = ids[action.node]!;
        if (leader) raft(sim, leader)!.changeMembers(action.add ? { add: node } : { remove: node }, () => {});
        break;
      }
    }
  }
  sim.heal();
  for (const id of ids) sim.restart(id);
  sim.runFor(4000);
  const final = finalRead(sim);
  inv.checkLogMatching();
  return {
    invariants: inv.violations,
    clients: clientViolations(sim.requests, final),
    acked: sim.requests.filter(r => r.req.f === 'txn' && r.reply?.ok).length,
  };
}

function scheduleArb(size: number, membership = false) {
  const member = fc.record({ kind: fc.constant('member' as const), node: fc.nat(size - 1), add: fc.boolean() });
  const action: fc.Arbitrary<Action> = membership ? fc.oneof(actionArb(size), member, member) : actionArb(size);
  return fc.array(fc.record({ gap: fc.integer({ min: 0, max: 1500 }), action }), { maxLength: 30 });
}

describe('raft node in the simulator', () => {
  it('elects one leader and commits writes in a healthy 3-node cluster', () => {
    const sim = makeSim(1, 3);
    const inv = new Invariants(sim);
    sim.onEvent = () => inv.check();
    sim.runFor(2000);
    const leader = leaderOf(sim);
    expect(leader).toBeDefined();
    const writes = [1, 2, 3].map(v => sim.submit(leader!, appendReq(v)));
    sim.runFor(200);
    expect(writes.map(w => w.reply)).toEqual([1, 2, 3].map(v => ({ ok: true, value: [['append', KEY, v]] })));
    expect(finalRead(sim)).toEqual([1, 2, 3]);
    const cas = sim.submit(leader!, { f: 'cas', key: 'r', from: null, to: 5 });
    const badCas = sim.submit(leader!, { f: 'cas', key: 'r', from: 4, to: 6 });
    sim.runFor(200);
    expect(cas.reply).toEqual({ ok: true });
    expect(badCas.reply).toMatchObject({ ok: false, error: { code: 'cas-mismatch', definite: true, value: 5 } });
    const follower = sim.nodeIds.find(id => id !== leader)!;
    const rejected = sim.submit(follower, READ);
    expect(rejected.reply).toMatchObject({ ok: false, error: { code: 'not-leader', definite: true, leader: { id: leader } } });
    expect(inv.violations).toEqual([]);
  });

  it('keeps every safety property under random crash/restart/partition/message-loss schedules', () => {
    const cluster = fc
      .constantFrom(3, 5)
      .chain(size => fc.record({ size: fc.constant(size), schedule: scheduleArb(size) }));
    fc.assert(
      fc.property(fc.integer(), cluster, fc.constantFrom(0, 0.05), (seed, { size, schedule }, dropRate) => {
        const result = play(makeSim(seed, size, [], [0, 15], dropRate), schedule);
        expect(result.invariants).toEqual([]);
        expect(result.clients).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it('makes progress: a healthy run acknowledges most writes', () => {
    const result = play(makeSim(7, 5), [{ gap: 3000, action: { kind: 'heal' } }]);
    expect(result.invariants).toEqual([]);
    expect(result.clients).toEqual([]);
    expect(result.acked).toBeGreaterThan(40);
  });
});

describe('raft bug flags are caught by the same checks', () => {
  /** Elects a leader in a 3-node cluster and lets a few heartbeats pass. */
  function settled(bugs: RaftBug[], fsyncMs: [number, number] = [0, 2]): { sim: RaftSim; leader: string; others: string[] } {
    const sim = makeSim(3, 3, bugs, fsyncMs);
    sim.runFor(2000);
    const leader = leaderOf(sim)!;
    return { sim, leader, others: sim.nodeIds.filter(id => id !== leader) };
  }

  it('stale-reads: an isolated follower serves an old value', () => {
    for (const bugs of [[], ['stale-reads']] as RaftBug[][]) {
      const { sim, leader, others } = settled(bugs);
      sim.partition([[others[0]!], [leader, others[1]!]]);
      sim.submit(leader, appendReq(1));
      sim.runFor(300);
      sim.submit(others[0]!, READ);
      sim.runFor(300);
      sim.heal();
      sim.runFor(1000);
      const problems = clientViolations(sim.requests, finalRead(sim));
      if (bugs.length) expect(problems.join()).toMatch(/misses 1/);
      else expect(problems).toEqual([]);
    }
  });

  it('no-fsync: acknowledged writes are lost when every node crashes', () => {
    for (const bugs of [[], ['no-fsync']] as RaftBug[][]) {
      const { sim, leader } = settled(bugs, [30, 40]);
      const w = sim.submit(leader, appendReq(1));
      while (!w.reply) sim.runFor(1);
      for (const id of sim.nodeIds) sim.crash(id);
      for (const id of sim.nodeIds) sim.restart(id);
      sim.runFor(2000);
      const problems = clientViolations(sim.requests, finalRead(sim));
      expect(w.reply.ok).toBe(true);
      if (bugs.length) expect(problems).toContain('acknowledged append 1 lost');
      else expect(problems).toEqual([]);
    }
  });

  it('lazy-fsync: acknowledged writes survive every node crashing, and are lost when every node loses power', () => {
    for (const bugs of [[], ['lazy-fsync']] as RaftBug[][]) {
      const { sim, leader } = settled(bugs, [30, 40]);
      const w = sim.submit(leader, appendReq(1));
      while (!w.reply) sim.runFor(1);
      expect(w.reply.ok).toBe(true);
      for (const id of sim.nodeIds) sim.crash(id);
      for (const id of sim.nodeIds) sim.restart(id);
      sim.runFor(2000);
      expect(finalRead(sim)).toEqual([1]);
      for (const id of sim.nodeIds) sim.powerLoss(id);
      for (const id of sim.nodeIds) sim.restart(id);
      sim.runFor(2000);
      const problems = clientViolations(sim.requests, finalRead(sim));
      if (bugs.length) expect(problems).toContain('acknowledged append 1 lost');
      else expect(problems).toEqual([]);
    }
  });

  it('lease-reads: a leader whose clock runs behind serves reads after losing leadership', () => {
    const cases: { bugs: RaftBug[]; skew: number; stale: boolean }[] = [
      { bugs: ['lease-reads'], skew: -10_000, stale: true },
      { bugs: ['lease-reads'], skew: 0, stale: false },
      { bugs: [], skew: -10_000, stale: false },
    ];
    for (const c of cases) {
      const { sim, leader, others } = settled(c.bugs);
      sim.submit(leader, READ);
      sim.runFor(100);
      sim.setClockOffset(leader, c.skew);
      sim.partition([[leader], others]);
      sim.runFor(2000);
      const newLeader = leaderOf(sim) === leader ? others.find(id => raft(sim, id)?.status().role === 'leader') : leaderOf(sim);
      expect(newLeader).toBeDefined();
      sim.submit(newLeader!, appendReq(1));
      sim.runFor(300);
      sim.submit(leader, READ);
      sim.runFor(300);
      sim.heal();
      sim.setClockOffset(leader, 0);
      sim.runFor(1000);
      const problems = clientViolations(sim.requests, finalRead(sim));
      if (c.stale) expect(problems.join()).toMatch(/misses 1/);
      else expect(problems).toEqual([]);
    }
  });

  it('volatile-votes: a voter restarted mid-election votes twice, giving two leaders in one term', () => {
    /** Old leader down; a new leader wins with one vote; that voter restarts; the old leader returns. */
    const twoLeaders = (bugs: RaftBug[], seed: number): boolean => {
      const sim = makeSim(seed, 3, bugs, [2, 4]);
      const inv = new Invariants(sim);
      sim.onEvent = () => inv.check();
      sim.runFor(2000);
      const old = leaderOf(sim)!;
      sim.crash(old);
      while (leaderOf(sim) === undefined) sim.runFor(0.5);
      const winner = leaderOf(sim)!;
      const voter = sim.nodeIds.find(id => id !== old && id !== winner)!;
      sim.crash(voter);
      sim.restart(voter);
      sim.partition([[winner], [voter, old]]);
      sim.restart(old);
      sim.runFor(3000);
      return inv.violations.some(v => v.includes('two leaders'));
    };
    const seeds = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(seeds.some(seed => twoLeaders(['volatile-votes'], seed))).toBe(true);
    expect(seeds.filter(seed => twoLeaders([], seed))).toEqual([]);
  });

  it('keeps every safety property while members are removed and added one at a time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), scheduleArb(5, true), (seed, schedule) => {
        const r = play(makeSim(seed, 5), schedule);
        expect(r.invariants).toEqual([]);
        expect(r.clients).toEqual([]);
      }),
      { numRuns: 15 },
    );
  });

  it('changes membership one node at a time, never the leader; a removed node follows the log without voting', () => {
    const sim = makeSim(3, 5);
    sim.runFor(2000);
    const leader = leaderOf(sim)!;
    const node = raft(sim, leader)!;
    const out = sim.nodeIds.find(id => id !== leader)!;
    const answers: StoreReply[] = [];
    node.changeMembers({ remove: leader }, r => answers.push(r));
    node.changeMembers({ remove: out }, r => answers.push(r));
    node.changeMembers({ remove: sim.nodeIds.find(id => id !== leader && id !== out)! }, r => answers.push(r));
    sim.runFor(300);
    expect(answers.map(a => (a.ok ? 'ok' : a.error.code))).toEqual(['unavailable', 'unavailable', 'ok']);
    expect(node.status().members).toEqual(sim.nodeIds.filter(id => id !== out));
    expect(raft(sim, out)!.status().members).toEqual(sim.nodeIds.filter(id => id !== out));
    // Without the removed node a write still needs 3 of the 4 members.
    sim.partition([[leader, out, sim.nodeIds.find(id => id !== leader && id !== out)!], sim.nodeIds.filter(id => id !== leader && id !== out).slice(1)]);
    const blocked = sim.submit(leader, appendReq(1));
    sim.runFor(500);
    expect(blocked.reply).toBeUndefined();
    sim.heal();
    sim.runFor(2000);
    const now = leaderOf(sim)!;
    expect(now).not.toBe(out);
    raft(sim, now)!.changeMembers({ add: out }, r => answers.push(r));
    sim.runFor(500);
    expect(answers.at(-1)).toMatchObject({ ok: true });
    expect(raft(sim, out)!.status().members).toEqual([...sim.nodeIds].sort());
  });

  it('member-counted-early: an added node counted before it has the log lets an acknowledged write be lost', () => {
    /**
     * A node removed, then added back while cut off; the leader then reaches one follower only,
     * and a write commits on the added node's credit; the two crash and the rest elect.
     */
    const lostWrite = (bugs: RaftBug[], seed: number): boolean => {
      const sim = makeSim(seed, 5, bugs);
      sim.runFor(2000);
      const leader = leaderOf(sim)!;
      const others = sim.nodeIds.filter(id => id !== leader);
      const [friend, a, b, added] = [others[0]!, others[1]!, others[2]!, others[3]!];
      raft(sim, leader)!.changeMembers({ remove: added }, () => {});
      sim.runFor(300);
      sim.partition([[leader, friend, a, b], [added]]);
      raft(sim, leader)!.changeMembers({ add: added }, () => {});
      sim.runFor(300);
      sim.partition([[leader, friend], [a, b], [added]]);
      const write = sim.submit(leader, appendReq(1));
      sim.runFor(300);
      sim.crash(leader);
      sim.crash(friend);
      sim.partition([[a, b, added], [leader, friend]]);
      sim.runFor(3000);
      const newLeader = leaderOf(sim);
      if (!newLeader) return false;
      const read = sim.submit(newLeader, READ);
      sim.runFor(500);
      const seen = read.reply?.ok ? ((read.reply.value as number[] | null) ?? []) : [];
      return write.reply?.ok === true && read.reply?.ok === true && !seen.includes(1);
    };
    const seeds = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(seeds.filter(seed => lostWrite(['member-counted-early'], seed)).length).toBeGreaterThan(0);
    expect(seeds.filter(seed => lostWrite([], seed))).toEqual([]);
  });
});
