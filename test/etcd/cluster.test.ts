// etcd on a real 5-node local cluster (network namespaces): the cluster comes up with one
// leader and serves register ops from every member; every workload client works end to end; a
// killed leader is replaced and, restarted, rejoins with its data; so is a paused one; an
// isolated member rejects writes at once (no leader) while a serializable read there returns
// stale data; with a lease, puts are attached to it, it is kept alive past its TTL, and the
// keys go when it lapses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeContext } from '../../src/core/context.ts';
import type { Cluster } from '../../src/core/provider.ts';
import { etcdClients } from '../../src/db/etcd/clients.ts';
import { EtcdDb } from '../../src/db/etcd/db.ts';
import { EtcdGateway, b64 } from '../../src/db/etcd/gateway.ts';
import { SharedLease } from '../../src/db/etcd/lease.ts';
import { runLeftovers } from '../../src/providers/local/cleanup.ts';
import { localProvider } from '../../src/providers/local/provider.ts';
import { SKIP_REASON, dbContext, expectKvWorkloadClients, once, setUpEveryNode, sleep, tearDownEveryNode } from './helpers.ts';

const PREFIX = 'fle';

describe.skipIf(SKIP_REASON !== undefined)(`etcd on a 5-node local cluster (${SKIP_REASON ?? 'root, etcd present'})`, () => {
  const provider = localProvider({ prefix: PREFIX, subnet: '10.216.0.0/24', nodes: 5, workDir: `/tmp/faultline-${PREFIX}` });
  const runDir = mkdtempSync(path.join(tmpdir(), 'faultline-etcd-'));
  const db = new EtcdDb({ opTimeoutMs: 3000 });
  let cluster: Cluster;
  const ctx = () => dbContext(cluster, runDir);
  const node = (name: string) => cluster.nodes.find((n) => n.name === name)!;

  beforeAll(async () => {
    cluster = await provider.up();
    const t0 = performance.now();
    await setUpEveryNode(db, ctx());
    console.log(`etcd: 5 members ready ${((performance.now() - t0) / 1000).toFixed(2)} s after setup began`);
  }, 90_000);

  afterAll(async () => {
    await tearDownEveryNode(db, cluster ? ctx() : undefined);
    await provider.down();
    rmSync(runDir, { recursive: true, force: true });
    expect(await runLeftovers(PREFIX)).toEqual([]);
  });

  it('has exactly one leader and serves register ops on every member', async () => {
    const leaders = await db.primaries(ctx());
    expect(leaders).toHaveLength(1);
    expect(db.versions.get('n1')).toMatch(/^3\.\d+\.\d+/);
    const reg = db.client('register')!;
    expect(await once(reg, ctx(), 'n1', 'write', 7)).toEqual({ type: 'ok' });
    for (const n of cluster.nodes) expect(await once(reg, ctx(), n.name, 'read', null)).toEqual({ type: 'ok', value: 7 });
    expect(await once(reg, ctx(), 'n2', 'cas', [7, 8])).toEqual({ type: 'ok' });
    expect(await once(reg, ctx(), 'n3', 'cas', [7, 9])).toMatchObject({ type: 'fail', error: 'cas-mismatch' });
    expect(await once(reg, ctx(), 'n4', 'read', null)).toEqual({ type: 'ok', value: 8 });
    expect(await once(reg, ctx(), 'n5', 'write', [3, 42])).toEqual({ type: 'ok' });
    expect(await once(reg, ctx(), 'n1', 'read', [3, null])).toEqual({ type: 'ok', value: [3, 42] });
  });

  it('serves the set, counter, bank, list-append and rw-register clients', async () => {
    await expectKvWorkloadClients((w) => db.client(w), ctx());
  });

  it('a killed leader is replaced; restarted, it rejoins with its data', async () => {
    const [leader] = await db.primaries(ctx());
    const reg = db.client('register')!;
    expect(await once(reg, ctx(), leader!, 'write', 100)).toEqual({ type: 'ok' });
    const t0 = performance.now();
    await db.kill(nodeContext(ctx(), leader!));
    expect(await cluster.nodeControl!.pids(leader!)).toEqual([]);
    const other = cluster.nodes.find((n) => n.name !== leader)!.name;
    let newLeaders: readonly string[] = [];
    while (performance.now() - t0 < 15_000) {
      newLeaders = await db.primaries(ctx());
      if (newLeaders.length === 1) break;
      await sleep(100);
    }
    console.log(`etcd: new leader after ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    expect(newLeaders).toHaveLength(1);
    expect(newLeaders[0]).not.toBe(leader);
    expect(await once(reg, ctx(), other, 'write', 101)).toEqual({ type: 'ok' });

    const t1 = performance.now();
    await db.start(nodeContext(ctx(), leader!));
    let read: unknown;
    while (performance.now() - t1 < 15_000) {
      read = await once(reg, ctx(), leader!, 'read', null, 1000);
      if ((read as { type: string }).type === 'ok') break;
      await sleep(100);
    }
    console.log(`etcd: restarted member served a linearizable read after ${((performance.now() - t1) / 1000).toFixed(2)} s`);
    expect(read).toEqual({ type: 'ok', value: 101 });
  });

  it('a paused leader is replaced; resumed, it serves again', async () => {
    const [leader] = await db.primaries(ctx());
    const reg = db.client('register')!;
    await db.pause(nodeContext(ctx(), leader!));
    try {
      let others: readonly string[] = [];
      for (let i = 0; i < 100; i++) {
        others = (await db.primaries(ctx())).filter((n) => n !== leader);
        if (others.length === 1) break;
        await sleep(100);
      }
      expect(others).toHaveLength(1);
      expect(await once(reg, ctx(), others[0]!, 'write', 150)).toEqual({ type: 'ok' });
    } finally {
      await db.resume(nodeContext(ctx(), leader!));
    }
    let read: { type: string } = { type: 'fail' };
    for (let i = 0; i < 100 && read.type !== 'ok'; i++) {
      read = await once(reg, ctx(), leader!, 'read', null, 1000);
      if (read.type !== 'ok') await sleep(100);
    }
    expect(read).toEqual({ type: 'ok', value: 150 });
  });

  it('an isolated member rejects writes at once; its serializable reads are stale', async () => {
    const reg = db.client('register')!;
    const [leader] = await db.primaries(ctx());
    // Isolate a follower, so the majority keeps its leader and writes there succeed at once.
    const victim = cluster.nodes.find((n) => n.name !== leader)!.name;
    expect(await once(reg, ctx(), leader!, 'write', 200)).toEqual({ type: 'ok' });
    const others = cluster.nodes.filter((n) => n.name !== victim).map((n) => n.name);
    // A write sent while the member still follows its old leader may be applied after the heal.
    let indefinite = false;
    await cluster.net!.partition({ [victim]: others, ...Object.fromEntries(others.map((o) => [o, [victim]])) });
    try {
      expect(await once(reg, ctx(), leader!, 'write', 201)).toEqual({ type: 'ok' });
      // With --election-timeout 1000 the isolated member gives up on its leader within a few seconds.
      let minority: { type: string; error?: unknown } = { type: 'ok' };
      const t0 = performance.now();
      while (performance.now() - t0 < 15_000) {
        minority = await once(reg, ctx(), victim, 'write', 202, 4000);
        if (minority.type === 'info') indefinite = true;
        if (minority.type === 'fail') break;
        await sleep(200);
      }
      expect(minority).toMatchObject({ type: 'fail', error: expect.stringContaining('no leader') });
      const serializable = etcdClients((n) => db.clientAddress(n), { timeoutMs: 3000, serializableReads: true });
      expect(await once(serializable['register']!, ctx(), victim, 'read', null)).toEqual({ type: 'ok', value: 200 });
      expect(await once(reg, ctx(), victim, 'read', null, 2000)).toMatchObject({ type: 'fail' });
    } finally {
      await cluster.net!.healPartition();
    }
    // Without pre-vote the returning member forces an election; wait until it serves again.
    let back: { type: string } = { type: 'fail' };
    for (let i = 0; i < 100 && back.type !== 'ok'; i++) {
      back = await once(reg, ctx(), victim, 'read', null, 1000);
      if (back.type !== 'ok') await sleep(200);
    }
    expect(back).toEqual({ type: 'ok', value: indefinite ? expect.toBeOneOf([201, 202]) : 201 });
  });

  it('lease-ttl attaches puts to a lease that is kept alive, and whose keys go when it lapses', async () => {
    const lease = new SharedLease(2, 3000);
    const clients = etcdClients((n) => db.clientAddress(n), { timeoutMs: 3000, serializableReads: false, lease });
    const reg = clients['register']!;
    const leased = async (): Promise<string | undefined> => {
      const gw = new EtcdGateway(db.clientAddress(node('n2')), { timeoutMs: 3000 });
      const r = await gw.call('/v3/kv/range', { key: b64('register/9') });
      gw.close();
      if (r.kind !== 'ok') throw new Error(r.message);
      const kvs = r.body['kvs'] as { lease?: string }[] | undefined;
      return kvs === undefined ? undefined : (kvs[0]?.lease ?? 'none');
    };
    await reg.setup!(ctx());
    try {
      expect(lease.id()).toMatch(/^\d+$/);
      expect(await once(reg, ctx(), 'n3', 'write', [9, 1])).toEqual({ type: 'ok' });
      expect(await leased()).toBe(lease.id());
      await sleep(3500); // past the TTL: only renewals keep the key
      expect(await leased()).toBe(lease.id());
      expect(lease.missedRenewals).toBe(0);
    } finally {
      await reg.teardown!(ctx());
    }
    let left = await leased();
    for (let i = 0; i < 50 && left !== undefined; i++) {
      await sleep(200);
      left = await leased();
    }
    expect(left).toBeUndefined();
  });
});
