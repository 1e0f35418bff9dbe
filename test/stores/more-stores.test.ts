// The quorum, lww and mvcc stores as real processes on 127.0.0.1: they serve the client API,
// reject bad input with a clear error instead of crashing, refuse bad flags with exit 254, and
// mvcc keeps every acknowledged commit across kill -9.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreClient } from '../../src/stores/client.ts';
import { LocalCluster } from '../../src/stores/local-cluster.ts';

let cluster: LocalCluster | undefined;
afterEach(async () => {
  await cluster?.destroy();
  cluster = undefined;
});

async function post(address: string, route: string, body: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`http://${address}${route}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
  return { status: res.status, json: await res.json() };
}

// Generous timeouts: on a loaded 2-core machine a quorum round can take seconds, and an op that
// times out would be `info`, which is not what these checks are about.
describe.each([
  ['quorum', ['--n', '3', '--r', '2', '--w', '2', '--request-timeout-ms', '15000']],
  ['lww', ['--request-timeout-ms', '15000']],
])('%s store, 3 nodes', (store, args) => {
  it('serves read, write and cas at every node, and rejects transactions and bad input', async () => {
    cluster = await LocalCluster.start({ store, size: 3, args });
    await cluster.waitForAll();
    const a = new StoreClient(cluster.address('n1'), { timeoutMs: 20_000 });
    expect(await a.write('k', 1)).toMatchObject({ type: 'ok' });
    expect(await a.cas('k', 1, 2)).toMatchObject({ type: 'ok' });
    expect(await a.cas('k', 1, 3)).toMatchObject({ type: 'fail', error: 'cas-mismatch', current: 2 });
    expect(await a.txn([['r', 'k', null]])).toMatchObject({ type: 'fail', error: 'bad-request' });
    a.close();
    const b = new StoreClient(cluster.address('n3'), { timeoutMs: 20_000 });
    let seen: unknown;
    for (let i = 0; i < 50 && seen !== 2; i++) {
      seen = (await b.read('k')).value;
      if (seen !== 2) await new Promise(r => setTimeout(r, 100));
    }
    expect(seen).toBe(2);
    b.close();
    expect(await post(cluster.address('n2'), '/write', '{"key": [1]}')).toMatchObject({ status: 400, json: { ok: false, error: { code: 'bad-request' } } });
    expect(await cluster.status('n2')).toMatchObject({ store, role: 'leader' });
  }, 60_000);
});

describe('mvcc store, 3 nodes', () => {
  it('keeps every acknowledged commit across kill -9 of the serving node', async () => {
    cluster = await LocalCluster.start({ store: 'mvcc', size: 3 });
    await cluster.waitForLeader();
    const c = new StoreClient(cluster.address('n2'), { timeoutMs: 20_000 });
    const acked: number[] = [];
    /** Outcome unknown (info): may or may not be in the list. */
    const maybe = new Set<number>();
    const notAcked = new Map<string, number>();
    // Four writers on one key: first-committer-wins aborts many; go on until enough commit.
    const until = performance.now() + 30_000;
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let i = 0; acked.length < 20 && performance.now() < until; i++) {
          const v = w * 1000 + i;
          const r = await c.txn([['append', 'l', v]]);
          if (r.type === 'ok') acked.push(v);
          if (r.type === 'info') maybe.add(v);
          if (r.type !== 'ok') notAcked.set(`${r.type} ${r.error}`, (notAcked.get(`${r.type} ${r.error}`) ?? 0) + 1);
        }
      }),
    );
    expect(acked.length, `no commit acknowledged; outcomes: ${JSON.stringify([...notAcked])}`).toBeGreaterThan(0);
    await cluster.stopNode('n1', 'SIGKILL');
    cluster.startNode('n1');
    await cluster.waitForLeader();
    const read = await c.txn([['r', 'l', null]]);
    c.close();
    expect(read, 'the read after the restart').toMatchObject({ type: 'ok' });
    const list = (read.value as [string, string, number[]][])[0]![2];
    expect(acked.filter(v => !list.includes(v))).toEqual([]);
    expect(list.filter(v => !acked.includes(v) && !maybe.has(v))).toEqual([]);
  }, 60_000);

  it('refuses a mode it does not have, naming the flag, with exit 254', () => {
    const main = path.resolve(import.meta.dirname, '../../src/stores/main.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', main, '--store', 'mvcc', '--id', 'n1', '--listen', '127.0.0.1:1',
      '--peers', 'n1=127.0.0.1:1', '--data-dir', '/tmp/never-created', '--mode', 'serializable'], { encoding: 'utf8' });
    expect(r.status).toBe(254);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--mode: mvcc has no mode "serializable"');
  });
});
