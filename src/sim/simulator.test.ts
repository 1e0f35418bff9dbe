// The simulator's world on a tiny node logic: determinism per seed, partitions and packet faults,
// crashes losing what was not flushed (fsync and lazy disks), power losses losing what was not
// fsynced, pauses holding everything until resume, client requests refused / reset / answered
// with copies, and the JSON copy of messages.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SyncMode } from '../stores/real/file-storage.ts';
import type { Runtime } from '../stores/runtime.ts';
import { jsonCopy } from './json-copy.ts';
import { LAZY_WRITE_MS } from './disk.ts';
import { Simulator, type SimNode } from './simulator.ts';

type Req = { op: 'send'; to: string; n: number } | { op: 'write'; n: number; flush: boolean } | { op: 'load' } | { op: 'get' };

/** Counts what it hears, echoes nothing; writes to its log on request; ticks a timer. */
class Probe implements SimNode<Req, unknown> {
  readonly heard: [number, string, unknown][] = [];
  readonly ticks: number[] = [];
  readonly rt: Runtime<unknown>;
  state = { items: [1, 2] };

  constructor(rt: Runtime<unknown>) {
    this.rt = rt;
  }

  start(): void {
    const tick = (): void => {
      this.ticks.push(this.rt.monotonic());
      this.rt.setTimer(100, tick);
    };
    this.rt.setTimer(100, tick);
  }

  receive(from: string, msg: unknown): void {
    this.heard.push([this.rt.monotonic(), from, msg]);
  }

  submit(req: Req, done: (reply: unknown) => void): void {
    if (req.op === 'send') this.rt.send(req.to, { n: req.n, items: [req.n], gone: undefined });
    if (req.op === 'write') {
      this.rt.storage.append([{ term: 1, command: req.n }]);
      if (req.flush) this.rt.storage.flush(() => done('durable'));
      else done('buffered');
      return;
    }
    if (req.op === 'load') return done(this.rt.storage.load().log.map((r) => r.command));
    if (req.op === 'get') return done(this.state);
    done('ok');
  }

  status() {
    return { role: 'follower', term: 0, leader: null };
  }

  stop(): void {}
}

function world(seed = 1, opts: { syncMode?: SyncMode } = {}): Simulator<Req, unknown> {
  return new Simulator<Req, unknown>({ seed, nodes: ['a', 'b', 'c'], create: (rt) => new Probe(rt), ...opts });
}

const probe = (sim: Simulator<Req, unknown>, id: string): Probe => sim.node(id) as Probe;

describe('the simulator', () => {
  it('gives the same run for the same seed, and another for another seed', () => {
    const run = (seed: number) => {
      const sim = world(seed);
      for (let i = 0; i < 20; i++) sim.submit('a', { op: 'send', to: i % 2 ? 'b' : 'c', n: i });
      sim.runFor(50);
      return JSON.stringify([probe(sim, 'b').heard, probe(sim, 'c').heard, sim.events]);
    };
    expect(run(1)).toBe(run(1));
    expect(run(1)).not.toBe(run(2));
  });

  it('delivers a JSON copy: undefined fields gone, the receiver shares nothing with the sender', () => {
    const sim = world();
    sim.submit('a', { op: 'send', to: 'b', n: 7 });
    sim.runFor(20);
    expect(probe(sim, 'b').heard.map(([, from, msg]) => [from, msg])).toEqual([['a', { n: 7, items: [7] }]]);
    expect(Object.keys(probe(sim, 'b').heard[0]![2] as object)).toEqual(['n', 'items']);
  });

  it('drops what crosses a partition, also messages already on their way, and delivers again after healing', () => {
    const sim = world();
    sim.submit('a', { op: 'send', to: 'b', n: 1 });
    sim.partition([['a'], ['b', 'c']]);
    sim.submit('a', { op: 'send', to: 'b', n: 2 });
    sim.submit('b', { op: 'send', to: 'c', n: 3 });
    sim.runFor(20);
    expect(probe(sim, 'b').heard).toEqual([]);
    expect(probe(sim, 'c').heard.map(([, , m]) => (m as { n: number }).n)).toEqual([3]);
    sim.heal();
    sim.submit('a', { op: 'send', to: 'b', n: 4 });
    sim.runFor(20);
    expect(probe(sim, 'b').heard.map(([, , m]) => (m as { n: number }).n)).toEqual([4]);
  });

  it('applies packet faults per link: loss drops, duplication delivers twice, delay holds back; the last call wins', () => {
    const sim = world();
    sim.network.setPacketFaults([{ from: 'a', to: 'b' }], { loss: 1 });
    sim.submit('a', { op: 'send', to: 'b', n: 1 });
    sim.submit('a', { op: 'send', to: 'c', n: 2 });
    sim.runFor(20);
    expect(probe(sim, 'b').heard).toEqual([]);
    expect(probe(sim, 'c').heard).toHaveLength(1);
    sim.network.setPacketFaults([{ from: 'a', to: 'c' }], { duplicate: 1, delayMs: 500 });
    sim.submit('a', { op: 'send', to: 'b', n: 3 });
    sim.submit('a', { op: 'send', to: 'c', n: 4 });
    sim.runFor(400);
    expect(probe(sim, 'b').heard.map(([, , m]) => (m as { n: number }).n)).toEqual([3]);
    expect(probe(sim, 'c').heard).toHaveLength(1);
    sim.runFor(200);
    expect(probe(sim, 'c').heard.slice(1).map(([t, , m]) => [t >= 520, (m as { n: number }).n])).toEqual([[true, 4], [true, 4]]);
  });

  it('loses unflushed writes in a crash and keeps flushed ones', () => {
    const sim = world();
    const durable = sim.submit('a', { op: 'write', n: 1, flush: true });
    sim.runFor(50);
    expect(durable.reply).toBe('durable');
    sim.submit('a', { op: 'write', n: 2, flush: false });
    sim.submit('a', { op: 'write', n: 3, flush: true }); // crashed before its fsync returns
    sim.crash('a');
    sim.restart('a');
    const loaded = sim.submit('a', { op: 'load' });
    expect(loaded.reply).toEqual([1]);
  });

  it('with a lazy disk, answers flushes at once and writes only five seconds later', () => {
    const sim = world(1, { syncMode: 'lazy' });
    const w = sim.submit('a', { op: 'write', n: 1, flush: true });
    sim.runFor(1);
    expect(w.reply).toBe('durable');
    sim.runFor(LAZY_WRITE_MS - 100);
    sim.crash('a');
    sim.restart('a');
    expect(sim.submit('a', { op: 'load' }).reply).toEqual([]);
    sim.submit('a', { op: 'write', n: 2, flush: true });
    sim.runFor(LAZY_WRITE_MS + 10);
    sim.crash('a');
    sim.restart('a');
    expect(sim.submit('a', { op: 'load' }).reply).toEqual([2]);
  });

  it('keeps unfsynced writes through a crash and loses them in a power loss; fsynced ones survive both', () => {
    const cases: [SyncMode, number[]][] = [['fsync', [1]], ['unsynced', []], ['lazy', []]];
    for (const [syncMode, afterPowerLoss] of cases) {
      const sim = world(1, { syncMode });
      const w = sim.submit('a', { op: 'write', n: 1, flush: true });
      sim.runFor(LAZY_WRITE_MS + 10); // flushed, and for the lazy disk written (never fsynced)
      expect(w.reply).toBe('durable');
      sim.crash('a');
      sim.restart('a');
      expect(sim.submit('a', { op: 'load' }).reply).toEqual([1]);
      expect(sim.powerLoss('a')).toBe(afterPowerLoss.length === 0 ? 1 : 0);
      sim.restart('a');
      expect([syncMode, sim.submit('a', { op: 'load' }).reply]).toEqual([syncMode, afterPowerLoss]);
    }
  });

  it("holds a paused node's timers and messages and runs them, in order, when it resumes", () => {
    const sim = world();
    sim.runFor(250);
    expect(probe(sim, 'b').ticks).toEqual([100, 200]);
    sim.pause('b');
    sim.submit('a', { op: 'send', to: 'b', n: 1 });
    sim.runFor(500);
    expect(probe(sim, 'b').heard).toEqual([]);
    expect(probe(sim, 'b').ticks).toEqual([100, 200]);
    sim.resume('b');
    sim.runFor(0);
    expect(probe(sim, 'b').ticks).toEqual([100, 200, 750]);
    expect(probe(sim, 'b').heard.map(([t]) => t)).toEqual([750]);
  });

  it('refuses clients of a down node, resets those of a node that crashes, and answers with copies', () => {
    const sim = world();
    const replies: unknown[] = [];
    sim.crash('b');
    sim.request('b', { op: 'get' }, (r) => replies.push(r));
    sim.request('c', { op: 'write', n: 1, flush: true }, (r) => replies.push(r));
    sim.runFor(0.01);
    sim.crash('c');
    sim.request('a', { op: 'get' }, (r) => replies.push(r));
    sim.runFor(50);
    expect(replies.slice(0, 2)).toEqual([{ kind: 'refused' }, { kind: 'reset' }]);
    const got = replies[2] as { kind: 'reply'; reply: { items: number[] } };
    expect(got).toEqual({ kind: 'reply', reply: { items: [1, 2] } });
    got.reply.items.push(3);
    expect(probe(sim, 'a').state.items).toEqual([1, 2]);
  });
});

describe('jsonCopy', () => {
  it('property: gives what a JSON round trip gives', () => {
    const value = fc.oneof(fc.jsonValue(), fc.object({ values: [fc.constant(undefined), fc.integer(), fc.double(), fc.string(), fc.date({ noInvalidDate: true })] }));
    fc.assert(
      fc.property(value, fc.array(fc.oneof(fc.constant(undefined), fc.double(), fc.constant(-0))), (v, arr) => {
        expect(jsonCopy(v)).toEqual(JSON.parse(JSON.stringify(v)));
        expect(jsonCopy(arr)).toEqual(JSON.parse(JSON.stringify(arr)));
      }),
    );
  });
});
