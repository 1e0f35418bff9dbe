// Consul sessions on a real 3-node local cluster, run only where a consul binary is available:
// with consul.session-ttl, every write locks its key with the run's session; the harness keeps
// the session alive past its TTL, and once it stops renewing, the session lapses and Consul
// deletes the keys it held.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/core/provider.ts';
import { consulClients } from '../../src/db/consul/clients.ts';
import { ConsulDb } from '../../src/db/consul/db.ts';
import { ConsulHttp } from '../../src/db/consul/http.ts';
import { SharedSession } from '../../src/db/consul/session.ts';
import { runLeftovers } from '../../src/providers/local/cleanup.ts';
import { localProvider } from '../../src/providers/local/provider.ts';
import { CONSUL_SOURCE, SKIP_REASON, dbContext, once, setUpEveryNode, sleep, tearDownEveryNode } from './helpers.ts';

const PREFIX = 'flcs';

describe.skipIf(SKIP_REASON !== undefined)(`consul sessions on a 3-node local cluster (${SKIP_REASON ?? `consul from ${CONSUL_SOURCE}`})`, () => {
  const provider = localProvider({ prefix: PREFIX, subnet: '10.218.5.0/24', nodes: 3, workDir: `/tmp/faultline-${PREFIX}` });
  let work = '';
  let db: ConsulDb;
  let cluster: Cluster;
  const ctx = () => dbContext(cluster, path.join(work, 'run'));
  const address = (name: string) => db.httpAddress(cluster.nodes.find((n) => n.name === name)!);

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'faultline-consul-session-'));
    db = new ConsulDb({ opTimeoutMs: 10_000, readMode: 'default', installDir: path.join(work, 'install') });
    cluster = await provider.up();
    await setUpEveryNode(db, ctx());
  }, 90_000);

  afterAll(async () => {
    await tearDownEveryNode(db, cluster ? ctx() : undefined);
    await provider.down();
    rmSync(work, { recursive: true, force: true });
    expect(await runLeftovers(PREFIX)).toEqual([]);
  });

  it('writes lock their keys with the session, kept alive past its TTL; the keys go when it lapses', async () => {
    const session = new SharedSession(10, 5000);
    const clients = consulClients((n) => db.httpAddress(n), { timeoutMs: 10_000, readMode: 'default', session });
    const reg = clients['register']!;
    /** The session holding register/9, "none" when unlocked, undefined when the key is gone. */
    const holder = async (): Promise<string | undefined> => {
      const r = await new ConsulHttp(address('n2'), 5000).request('GET', '/v1/kv/register/9');
      if (r.kind !== 'response') throw new Error(r.message);
      if (r.status === 404) return undefined;
      return (JSON.parse(r.body) as { Session?: string }[])[0]?.Session ?? 'none';
    };
    await reg.setup!(ctx());
    try {
      expect(session.id()).toMatch(/^[0-9a-f-]{36}$/);
      expect(await once(reg, ctx(), 'n3', 'write', [9, 1])).toEqual({ type: 'ok' });
      expect(await once(reg, ctx(), 'n1', 'cas', [9, [1, 2]])).toEqual({ type: 'ok' });
      expect(await once(reg, ctx(), 'n2', 'read', [9, null])).toEqual({ type: 'ok', value: [9, 2] });
      expect(await holder()).toBe(session.id());
      await sleep(25_000); // past twice the TTL: only renewals keep the session
      expect(await holder()).toBe(session.id());
      expect(session.missedRenewals).toBe(0);
    } finally {
      await reg.teardown!(ctx());
    }
    let left = await holder();
    for (let i = 0; i < 60 && left !== undefined; i++) {
      await sleep(500);
      left = await holder();
    }
    expect(left).toBeUndefined();
  }, 120_000);
});
