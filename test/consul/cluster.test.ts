// Consul on a real 3-node local cluster (network namespaces), run only where a consul binary is
// available: the servers elect one leader and serve register ops in every read mode; every
// workload client works end to end; a killed leader is replaced and, restarted with its data
// dir, rejoins and serves what was written meanwhile; an isolated server refuses writes (no
// cluster leader) and consistent reads, while its stale reads return an old value.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Completion } from '../../src/core/client.ts';
import { nodeContext } from '../../src/core/context.ts';
import type { Cluster } from '../../src/core/provider.ts';
import { consulClients } from '../../src/db/consul/clients.ts';
import { ConsulDb } from '../../src/db/consul/db.ts';
import type { ReadMode } from '../../src/db/consul/kv.ts';
import { runLeftovers } from '../../src/providers/local/cleanup.ts';
import { localProvider } from '../../src/providers/local/provider.ts';
import { CONSUL_SOURCE, SKIP_REASON, dbContext, expectKvWorkloadClients, once, setUpEveryNode, sleep, tearDownEveryNode } from './helpers.ts';

const PREFIX = 'flco';

/** Retries `op` until `done` says so or `ms` pass; returns the last outcome. */
async function until(op: () => Promise<Completion>, done: (c: Completion) => boolean, ms = 15_000): Promise<Completion> {
  const t0 = performance.now();
  let c = await op();
  while (!done(c) && performance.now() - t0 < ms) {
    await sleep(200);
    c = await op();
  }
  return c;
}

describe.skipIf(SKIP_REASON !== undefined)(`consul on a 3-node local cluster (${SKIP_REASON ?? `consul from ${CONSUL_SOURCE}`})`, () => {
  const provider = localProvider({ prefix: PREFIX, subnet: '10.218.1.0/24', nodes: 3, workDir: `/tmp/faultline-${PREFIX}` });
  let work = '';
  let db: ConsulDb;
  let cluster: Cluster;
  const ctx = () => dbContext(cluster, path.join(work, 'run'));
  const node = (name: string) => cluster.nodes.find((n) => n.name === name)!;
  const reader = (mode: ReadMode) => consulClients((n) => db.httpAddress(n), { timeoutMs: 10_000, readMode: mode })['register']!;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'faultline-consul-'));
    db = new ConsulDb({ opTimeoutMs: 10_000, readMode: 'default', installDir: path.join(work, 'install') });
    cluster = await provider.up();
    const t0 = performance.now();
    await setUpEveryNode(db, ctx());
    console.log(`consul ${db.versions.get('n1')}: 3 servers ready ${((performance.now() - t0) / 1000).toFixed(2)} s after setup began`);
  }, 90_000);

  afterAll(async () => {
    await tearDownEveryNode(db, cluster ? ctx() : undefined);
    await provider.down();
    rmSync(work, { recursive: true, force: true });
    expect(await runLeftovers(PREFIX)).toEqual([]);
  });

  it('has exactly one leader and serves register ops on every server in every read mode', async () => {
    expect(await db.primaries(ctx())).toHaveLength(1);
    expect(db.versions.get('n1')).toMatch(/^\d+\.\d+\.\d+/);
    const reg = db.client('register')!;
    expect(await once(reg, ctx(), 'n1', 'write', 7)).toEqual({ type: 'ok' });
    for (const n of cluster.nodes) {
      expect(await once(reg, ctx(), n.name, 'read', null)).toEqual({ type: 'ok', value: 7 });
      expect(await once(reader('consistent'), ctx(), n.name, 'read', null)).toEqual({ type: 'ok', value: 7 });
      // A stale read is answered from the server's own state, which may lag a moment.
      expect(await until(() => once(reader('stale'), ctx(), n.name, 'read', null), (c) => c.type === 'ok' && c.value === 7)).toEqual({ type: 'ok', value: 7 });
    }
    expect(await once(reg, ctx(), 'n2', 'cas', [7, 8])).toEqual({ type: 'ok' });
    expect(await once(reg, ctx(), 'n3', 'cas', [7, 9])).toMatchObject({ type: 'fail', error: 'cas-mismatch' });
    expect(await once(reg, ctx(), 'n1', 'read', null)).toEqual({ type: 'ok', value: 8 });
    expect(await once(reg, ctx(), 'n3', 'write', [3, 42])).toEqual({ type: 'ok' });
    expect(await once(reg, ctx(), 'n1', 'read', [3, null])).toEqual({ type: 'ok', value: [3, 42] });
    expect(await once(reg, ctx(), 'n2', 'read', [4, null])).toEqual({ type: 'ok', value: [4, null] });
  });

  it('serves the set, counter, bank, list-append and rw-register clients', async () => {
    await expectKvWorkloadClients((w) => db.client(w), ctx());
  });

  it('a killed leader is replaced; restarted with its data dir, it rejoins', async () => {
    const [leader] = await db.primaries(ctx());
    const reg = db.client('register')!;
    expect(await once(reg, ctx(), leader!, 'write', 100)).toEqual({ type: 'ok' });
    const t0 = performance.now();
    await db.kill(nodeContext(ctx(), leader!));
    expect(await cluster.nodeControl!.pids(leader!)).toEqual([]);
    let others: readonly string[] = [];
    while (performance.now() - t0 < 20_000) {
      others = (await db.primaries(ctx())).filter((n) => n !== leader);
      if (others.length === 1) break;
      await sleep(200);
    }
    console.log(`consul: new leader after ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    expect(others).toHaveLength(1);
    expect(await once(reg, ctx(), others[0]!, 'write', 101)).toEqual({ type: 'ok' });

    await db.start(nodeContext(ctx(), leader!));
    const read = await until(() => once(reader('consistent'), ctx(), leader!, 'read', null, 3000), (c) => c.type === 'ok' && c.value === 101, 30_000);
    expect(read).toEqual({ type: 'ok', value: 101 });
  }, 60_000);

  it('an isolated server refuses writes and consistent reads; its stale reads are old', async () => {
    const reg = db.client('register')!;
    const [leader] = await db.primaries(ctx());
    const victim = cluster.nodes.find((n) => n.name !== leader)!.name;
    const others = cluster.nodes.filter((n) => n.name !== victim).map((n) => n.name);
    expect(await once(reg, ctx(), leader!, 'write', 200)).toEqual({ type: 'ok' });
    await until(() => once(reader('stale'), ctx(), victim, 'read', null), (c) => c.type === 'ok' && c.value === 200);
    // A write sent while the server still follows the old leader may be applied after the heal.
    let indefinite = false;
    await cluster.net!.partition({ [victim]: others, ...Object.fromEntries(others.map((o) => [o, [victim]])) });
    try {
      expect(await once(reg, ctx(), leader!, 'write', 201)).toEqual({ type: 'ok' });
      const refused = await until(
        async () => {
          const c = await once(reg, ctx(), victim, 'write', 202, 12_000);
          if (c.type === 'info') indefinite = true;
          return c;
        },
        (c) => c.type === 'fail',
        30_000,
      );
      expect(refused).toMatchObject({ type: 'fail', error: expect.stringMatching(/no cluster leader/i) });
      expect(await once(reader('stale'), ctx(), victim, 'read', null)).toEqual({ type: 'ok', value: 200 });
      expect(await once(reader('consistent'), ctx(), victim, 'read', null, 12_000)).toMatchObject({ type: 'fail' });
    } finally {
      await cluster.net!.healPartition();
    }
    const back = await until(() => once(reader('consistent'), ctx(), victim, 'read', null, 3000), (c) => c.type === 'ok', 30_000);
    expect(back).toEqual({ type: 'ok', value: indefinite ? expect.toBeOneOf([201, 202]) : 201 });
  }, 90_000);
});
