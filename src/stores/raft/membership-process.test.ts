// Membership change on real raft node processes on 127.0.0.1: the leader removes a follower and
// adds it back through POST /admin/members, writes keep committing, and the node follows again.
import { afterAll, describe, expect, it } from 'vitest';
import { StoreClient } from '../client.ts';
import { LocalCluster } from '../local-cluster.ts';

let cluster: LocalCluster | undefined;
afterAll(async () => {
  await cluster?.destroy();
});

describe('raft membership over HTTP', () => {
  it('removes a follower, keeps serving, adds it back', async () => {
    cluster = await LocalCluster.start({ store: 'raft', size: 3 });
    const leader = await cluster.waitForLeader();
    const out = cluster.ids.find(id => id !== leader)!;
    const c = new StoreClient(cluster.address(leader), { timeoutMs: 5000 });
    const removed = await c.admin('members', { remove: out });
    expect(removed.type, removed.message).toBe('ok');
    expect(removed.value).toEqual(cluster.ids.filter(id => id !== out));
    expect((await c.admin('members', { remove: leader })).error).toBe('unavailable');
    expect((await c.write('k', 1)).type).toBe('ok');
    const follower = new StoreClient(cluster.address(out), { timeoutMs: 5000 });
    expect((await follower.admin('members', { add: out })).error).toBe('not-leader');
    const added = await c.admin('members', { add: out });
    expect(added.type, added.message).toBe('ok');
    expect((await c.write('k', 2)).type).toBe('ok');
    expect((await follower.status()).members).toEqual([...cluster.ids].sort());
    c.close();
    follower.close();
  }, 60_000);
});
