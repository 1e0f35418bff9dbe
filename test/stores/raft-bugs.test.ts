// Raft bug flags on real processes: the same operations that the correct store gets right go
// wrong in the way each flag promises (stale follower reads; acknowledged writes lost on SIGKILL).
import { afterEach, describe, expect, it } from 'vitest';
import { StoreClient } from '../../src/stores/client.ts';
import { LocalCluster } from '../../src/stores/local-cluster.ts';

let cluster: LocalCluster | undefined;
afterEach(async () => {
  await cluster?.destroy();
  cluster = undefined;
});

describe('raft bug flags on real processes', () => {
  it('stale-reads: a follower answers reads itself instead of naming the leader', async () => {
    for (const bugs of [[], ['stale-reads']]) {
      cluster = await LocalCluster.start({ store: 'raft', size: 3, bugs });
      const leader = await cluster.waitForLeader();
      const follower = new StoreClient(cluster.address(cluster.ids.find(id => id !== leader)!), { followLeader: false });
      const out = await follower.read('k');
      follower.close();
      if (bugs.length) expect(out).toMatchObject({ type: 'ok', value: null });
      else expect(out).toMatchObject({ type: 'fail', error: 'not-leader' });
      await cluster.destroy();
      cluster = undefined;
    }
  }, 90_000);

  it('no-fsync: writes acknowledged just before every node is killed are lost', async () => {
    for (const bugs of [[], ['no-fsync']]) {
      cluster = await LocalCluster.start({ store: 'raft', size: 3, bugs });
      const leader = await cluster.waitForLeader();
      const client = new StoreClient(cluster.address(leader));
      const acked: number[] = [];
      for (let v = 0; v < 20; v++) if ((await client.txn([['append', 'l', v]])).type === 'ok') acked.push(v);
      client.close();
      await Promise.all(cluster.ids.map(id => cluster!.stopNode(id, 'SIGKILL')));
      expect(acked).toHaveLength(20);
      for (const id of cluster.ids) cluster.startNode(id);
      const again = await cluster.waitForLeader();
      const reader = new StoreClient(cluster.address(again));
      const read = await reader.read('l');
      reader.close();
      const present = new Set((read.value as number[] | null) ?? []);
      const lost = acked.filter(v => !present.has(v));
      if (bugs.length) expect(lost.length).toBeGreaterThan(0);
      else expect(lost).toEqual([]);
      await cluster.destroy();
      cluster = undefined;
    }
  }, 120_000);
});
