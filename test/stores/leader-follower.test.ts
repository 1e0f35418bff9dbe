// The leader-follower store as real processes on 127.0.0.1, in both modes: the primary serves
// ops, followers point at it, and killing the primary fails over to a follower.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreClient } from '../../src/stores/client.ts';
import { LocalCluster } from '../../src/stores/local-cluster.ts';

describe.each(['async', 'sync'])('leader-follower store (%s), 3 nodes', mode => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await LocalCluster.start({ store: 'leader-follower', size: 3, args: ['--mode', mode] });
  }, 60_000);

  afterAll(async () => {
    await cluster?.destroy();
  });

  it('serves ops at the primary and fails over when it is killed', async () => {
    const primary = await cluster.waitForLeader();
    expect(await cluster.status(primary)).toMatchObject({ store: 'leader-follower', mode, role: 'leader' });
    const client = new StoreClient(cluster.address(primary));
    expect(await client.write('a', 1)).toMatchObject({ type: 'ok' });
    expect(await client.cas('a', 1, 2)).toMatchObject({ type: 'ok' });
    expect(await client.cas('a', 1, 3)).toMatchObject({ type: 'fail', error: 'cas-mismatch' });
    expect(await client.txn([['append', 'l', 1], ['r', 'l', null]])).toMatchObject({
      type: 'ok',
      value: [['append', 'l', 1], ['r', 'l', [1]]],
    });
    client.close();

    // Replication is asynchronous (or confirmed by one follower only): wait until both have it,
    // since killing the primary earlier may lose writes by design (see the simulator tests).
    const seq = (await cluster.status(primary))!.seq;
    for (let i = 0; i < 100; i++) {
      const seqs = await Promise.all(cluster.ids.map(async id => (await cluster.status(id))?.seq));
      if (seqs.every(s => s === seq)) break;
      await new Promise(r => setTimeout(r, 100));
    }
    const followerId = cluster.ids.find(id => id !== primary)!;
    const follower = new StoreClient(cluster.address(followerId), { followLeader: false });
    expect(await follower.read('a')).toMatchObject({ type: 'fail', error: 'not-leader' });
    follower.close();

    await cluster.stopNode(primary, 'SIGKILL');
    const next = await cluster.waitForLeader(30_000, [primary]);
    const after = new StoreClient(cluster.address(next));
    expect(await after.read('a')).toMatchObject({ type: 'ok', value: 2 });
    expect(await after.write('b', 1)).toMatchObject({ type: 'ok' });
    after.close();

    cluster.startNode(primary);
    for (let i = 0; i < 100 && (await cluster.status(primary))?.leader !== next; i++) {
      await new Promise(r => setTimeout(r, 100));
    }
    expect(await cluster.status(primary)).toMatchObject({ role: 'follower', leader: next });
  }, 90_000);
});
