// The Raft store as real processes on 127.0.0.1: election, replication, CAS, transactions,
// not-leader hints, bad input, SIGKILL of the leader (and of every node) without losing an
// acknowledged write, and a 5-node cluster surviving a minority of kills.
import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StoreClient, type StoreOutcome } from '../../src/stores/client.ts';
import { LocalCluster } from '../../src/stores/local-cluster.ts';

const sleep = (ms: number): Promise<void> => new Promise(r => setTimeout(r, ms));

async function post(address: string, path: string, body: string | Buffer): Promise<{ status: number; json: any }> {
  const res = await fetch(`http://${address}${path}`, { method: 'POST', body });
  return { status: res.status, json: await res.json() };
}

/**
 * `writers` clients append unique values to the list at `key` through whichever node they are told is the
 * leader, until stopped; returns the values acknowledged ok and those that failed definitely.
 */
function appendLoad(cluster: LocalCluster, key: string, writers: number) {
  const acked: number[] = [];
  const failed: number[] = [];
  let next = 0;
  let running = true;
  const loops = Array.from({ length: writers }, async (_, w) => {
    const client = new StoreClient(cluster.address(cluster.ids[w % cluster.ids.length]!), { timeoutMs: 4000 });
    while (running) {
      const v = next++;
      const out: StoreOutcome = await client.txn([['append', key, v]]);
      if (out.type === 'ok') acked.push(v);
      else if (out.type === 'fail') failed.push(v);
      if (out.type !== 'ok') await sleep(50);
    }
    client.close();
  });
  return {
    acked,
    failed,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Reads a list through the leader, retrying until a leader answers. */
async function readList(cluster: LocalCluster, key: string): Promise<number[]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const leader = await cluster.waitForLeader();
    const client = new StoreClient(cluster.address(leader));
    const out = await client.read(key);
    client.close();
    if (out.type === 'ok') return (out.value as number[] | null) ?? [];
    await sleep(200);
  }
  throw new Error('could not read the list');
}

function expectNoLoss(final: number[], acked: number[], failed: number[]): void {
  expect(new Set(final).size).toBe(final.length);
  const present = new Set(final);
  expect(acked.filter(v => !present.has(v))).toEqual([]);
  expect(failed.filter(v => present.has(v))).toEqual([]);
}

describe('raft store, 3 nodes', () => {
  let cluster: LocalCluster;
  let leader: string;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ store: 'raft', size: 3 });
  }, 60_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  // Leadership may move between tests on a busy machine; every test starts from the current one.
  beforeEach(async () => {
    leader = await cluster.waitForLeader();
  });

  it('elects one leader that every node agrees on', async () => {
    const statuses = await Promise.all(cluster.ids.map(id => cluster.status(id)));
    expect(statuses.filter(s => s?.role === 'leader').map(s => s!.node)).toEqual([leader]);
    const term = statuses.find(s => s?.node === leader)!.term;
    for (const s of statuses) expect(s).toMatchObject({ store: 'raft', leader, term });
  });

  it('replicates writes to every node', async () => {
    const client = new StoreClient(cluster.address(leader));
    expect(await client.write('a', 1)).toMatchObject({ type: 'ok' });
    expect(await client.read('a')).toMatchObject({ type: 'ok', value: 1 });
    const { commitIndex } = (await cluster.status(leader))!;
    for (let i = 0; i < 50; i++) {
      const applied = await Promise.all(cluster.ids.map(async id => (await cluster.status(id))!.lastApplied as number));
      if (applied.every(a => a >= (commitIndex as number))) break;
      await sleep(100);
    }
    for (const id of cluster.ids) expect((await cluster.status(id))!.lastApplied).toBeGreaterThanOrEqual(commitIndex as number);
    client.close();
  });

  it('does compare-and-set and transactions', async () => {
    const client = new StoreClient(cluster.address(leader));
    expect(await client.cas('r', null, 1)).toMatchObject({ type: 'ok' });
    expect(await client.cas('r', 1, 2)).toMatchObject({ type: 'ok' });
    expect(await client.cas('r', 1, 3)).toMatchObject({ type: 'fail', error: 'cas-mismatch', current: 2 });
    expect(await client.read('r')).toMatchObject({ type: 'ok', value: 2 });
    const txn = await client.txn([
      ['append', 'x', 1],
      ['append', 'x', 2],
      ['r', 'x', null],
      ['w', 'y', 'v'],
      ['r', 'y', null],
    ]);
    expect(txn).toMatchObject({
      type: 'ok',
      value: [
        ['append', 'x', 1],
        ['append', 'x', 2],
        ['r', 'x', [1, 2]],
        ['w', 'y', 'v'],
        ['r', 'y', 'v'],
      ],
    });
    expect(await client.txn([['append', 'y', 1]])).toMatchObject({ type: 'fail', error: 'type-mismatch' });
    expect(await client.txn([['r', 'y', null]])).toMatchObject({ type: 'ok', value: [['r', 'y', 'v']] });
    client.close();
  });

  it('rejects at a follower with a leader hint, which the client can follow', async () => {
    const follower = cluster.ids.find(id => id !== leader)!;
    const strict = new StoreClient(cluster.address(follower), { followLeader: false });
    const rejected = await strict.write('h', 1);
    expect(rejected).toMatchObject({ type: 'fail', error: 'not-leader', node: cluster.address(follower) });
    const raw = await post(cluster.address(follower), '/write', '{"key":"h","value":1}');
    expect(raw.status).toBe(421);
    expect(raw.json.error.leader).toEqual({ id: leader, address: cluster.address(leader) });
    const following = new StoreClient(cluster.address(follower));
    expect(await following.write('h', 2)).toEqual({ type: 'ok', node: cluster.address(leader) });
    strict.close();
    following.close();
  });

  it('answers bad input with a clear error and keeps serving', async () => {
    const addr = cluster.address(leader);
    const cases: [string, string | Buffer, number, string][] = [
      ['/write', '{"key":', 400, 'bad-request'],
      ['/write', '[1,2]', 400, 'bad-request'],
      ['/write', '{"key":{"a":1},"value":1}', 400, 'bad-request'],
      ['/write', '{"key":"k"}', 400, 'bad-request'],
      ['/txn', '{"ops":[["incr","k",1]]}', 400, 'bad-request'],
      ['/frobnicate', '{}', 404, 'unknown-op'],
      ['/write', Buffer.alloc(2 * 1024 * 1024, 'a'), 413, 'too-large'],
    ];
    for (const [path, body, status, code] of cases) {
      const res = await post(addr, path, body);
      expect({ path, status: res.status, code: res.json.error?.code, definite: res.json.error?.definite }).toEqual({
        path,
        status,
        code,
        definite: true,
      });
      expect(res.json.error.message).toEqual(expect.any(String));
    }
    expect(cluster.isRunning(leader)).toBe(true);
    const client = new StoreClient(addr);
    expect(await client.write('after-bad-input', 1)).toMatchObject({ type: 'ok' });
    client.close();
  });

  it('loses no acknowledged write when the leader is killed and restarted', async () => {
    const load = appendLoad(cluster, 'leader-kill', 4);
    await sleep(1500);
    const old = leader;
    await cluster.stopNode(old, 'SIGKILL');
    const next = await cluster.waitForLeader(30_000, [old]);
    expect(next).not.toBe(old);
    await sleep(1500);
    cluster.startNode(old);
    await sleep(1500);
    await load.stop();
    expect(load.acked.length).toBeGreaterThan(20);
    const final = await readList(cluster, 'leader-kill');
    expectNoLoss(final, load.acked, load.failed);
    // The restarted node catches up from its data directory and the leader.
    const commit = (await cluster.status(next))!.commitIndex as number;
    for (let i = 0; i < 100 && ((await cluster.status(old))?.lastApplied as number | undefined ?? -1) < commit; i++) {
      await sleep(100);
    }
    expect((await cluster.status(old))!.lastApplied).toBeGreaterThanOrEqual(commit);
  }, 90_000);

  it('loses no acknowledged write when every node is killed at once', async () => {
    const load = appendLoad(cluster, 'all-kill', 4);
    await sleep(1500);
    await Promise.all(cluster.ids.map(id => cluster.stopNode(id, 'SIGKILL')));
    await load.stop();
    for (const id of cluster.ids) cluster.startNode(id);
    const final = await readList(cluster, 'all-kill');
    expect(load.acked.length).toBeGreaterThan(10);
    expectNoLoss(final, load.acked, load.failed);
  }, 90_000);

  it('replaces a paused leader, which steps down on resume without losing acknowledged writes', async () => {
    const load = appendLoad(cluster, 'pause', 4);
    await sleep(1000);
    const old = leader;
    const pid = cluster.pid(old)!;
    process.kill(pid, 'SIGSTOP');
    try {
      const next = await cluster.waitForLeader(30_000, [old]);
      expect(next).not.toBe(old);
      await sleep(1000);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await sleep(1500);
    await load.stop();
    expectNoLoss(await readList(cluster, 'pause'), load.acked, load.failed);
    leader = await cluster.waitForLeader();
    const statuses = await Promise.all(cluster.ids.map(id => cluster.status(id)));
    expect(statuses.filter(s => s?.role === 'leader')).toHaveLength(1);
    expect(statuses.find(s => s?.node === old)).toMatchObject({ role: 'follower', leader });
  }, 90_000);

  it('reports a stopped node as a definite failure', async () => {
    const follower = cluster.ids.find(id => id !== leader)!;
    await cluster.stopNode(follower, 'SIGTERM');
    const client = new StoreClient(cluster.address(follower));
    expect(await client.write('down', 1)).toMatchObject({ type: 'fail', error: 'connect-failed' });
    client.close();
    expect(fs.readFileSync(cluster.logFile(follower), 'utf8')).toMatch(/SIGTERM: stopping/);
    cluster.startNode(follower);
    await cluster.waitForLeader();
  }, 60_000);
});

describe('raft store, 5 nodes', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ store: 'raft', size: 5 });
  }, 60_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('elects a leader, survives losing two nodes including the leader, and catches them up', async () => {
    const leader = await cluster.waitForLeader();
    const load = appendLoad(cluster, 'list', 5);
    await sleep(1000);
    const follower = cluster.ids.find(id => id !== leader)!;
    await cluster.stopNode(follower, 'SIGKILL');
    await cluster.stopNode(leader, 'SIGKILL');
    const next = await cluster.waitForLeader(30_000, [leader]);
    const before = load.acked.length;
    await sleep(1500);
    expect(load.acked.length).toBeGreaterThan(before);
    cluster.startNode(leader);
    cluster.startNode(follower);
    await sleep(1500);
    await load.stop();
    const final = await readList(cluster, 'list');
    expectNoLoss(final, load.acked, load.failed);
    const commit = (await cluster.status(next))!.commitIndex as number;
    for (const id of [leader, follower]) {
      for (let i = 0; i < 100 && ((await cluster.status(id))?.lastApplied as number | undefined ?? -1) < commit; i++) {
        await sleep(100);
      }
      expect((await cluster.status(id))!.lastApplied).toBeGreaterThanOrEqual(commit);
    }
  }, 120_000);
});
