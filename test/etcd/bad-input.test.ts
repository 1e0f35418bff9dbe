// Bad setups of etcd on a real 3-node local cluster, each one clear line well within the
// readiness timeout, with teardown still leaving nothing running: a binary that does not exist,
// a version that is not installed, a port already taken on the node, and a cluster that never
// gets a leader (one member of three started).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeContext } from '../../src/core/context.ts';
import { FaultlineError, UsageError } from '../../src/core/errors.ts';
import type { Cluster } from '../../src/core/provider.ts';
import { EtcdDb } from '../../src/db/etcd/db.ts';
import { runLeftovers } from '../../src/providers/local/cleanup.ts';
import { localProvider } from '../../src/providers/local/provider.ts';
import { SKIP_REASON, dbContext, sleep } from './helpers.ts';

const PREFIX = 'fleb';

describe.skipIf(SKIP_REASON !== undefined)(`etcd setup errors (${SKIP_REASON ?? 'root, etcd present'})`, () => {
  const provider = localProvider({ prefix: PREFIX, subnet: '10.216.2.0/24', nodes: 3, workDir: `/tmp/faultline-${PREFIX}` });
  const runDir = mkdtempSync(path.join(tmpdir(), 'faultline-etcd-bad-'));
  let cluster: Cluster;
  const ctx = () => dbContext(cluster, runDir);
  const n1 = () => cluster.nodes[0]!;

  beforeAll(async () => {
    cluster = await provider.up();
  });

  afterAll(async () => {
    await provider.down();
    rmSync(runDir, { recursive: true, force: true });
    expect(await runLeftovers(PREFIX)).toEqual([]);
  });

  it('a binary that does not exist', async () => {
    const db = new EtcdDb({ opTimeoutMs: 1000, binary: '/nonexistent/etcd' });
    const e = await db.setup(nodeContext(ctx(), n1())).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toBe('n1: etcd binary /nonexistent/etcd does not exist or is not executable; fix --opt etcd.binary');
  });

  it('a version that is not installed', async () => {
    const db = new EtcdDb({ opTimeoutMs: 1000, version: '9.9' });
    const e = await db.setup(nodeContext(ctx(), n1())).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(/^n1: \/usr\/bin\/etcd is etcd 3\.\d+\.\d+, not the requested 9\.9; /);
  });

  it('a port already in use on the node', async () => {
    const listener = "require('net').createServer().listen(2379, process.argv[1])";
    await cluster.remote('n1').spawnDaemon({ argv: [process.execPath, '-e', listener, n1().address], logFile: path.join(runDir, 'listener.log') });
    try {
      // A loaded machine can take seconds to start node: wait until the port is really taken.
      let listening = false;
      for (let i = 0; i < 600 && !listening; i++) {
        listening = (await cluster.remote('n1').exec(['ss', '-Hltn'])).stdout.includes(`${n1().address}:2379`);
        if (!listening) await sleep(50);
      }
      expect(listening).toBe(true);
      const db = new EtcdDb({ opTimeoutMs: 1000 });
      const e = await db.setup(nodeContext(ctx(), n1())).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toMatch(new RegExp(`^n1: port 2379 \\(${n1().address.replaceAll('.', '\\.')}:2379\\) is already in use by node \\(pid \\d+\\); `));
      await db.teardown(nodeContext(ctx(), n1()));
    } finally {
      await cluster.nodeControl!.killAll('n1');
    }
    expect(await cluster.nodeControl!.pids('n1')).toEqual([]);
  });

  it('a cluster that never gets a leader fails at the readiness timeout and tears down', async () => {
    const db = new EtcdDb({ opTimeoutMs: 1000, readyTimeoutMs: 3000 });
    const t0 = performance.now();
    const e = await db.setup(nodeContext(ctx(), n1())).catch((x: unknown) => x);
    console.log(`etcd: no-leader setup gave up after ${((performance.now() - t0) / 1000).toFixed(2)} s (timeout 3 s)`);
    expect(e).toBeInstanceOf(FaultlineError);
    expect((e as Error).message).toMatch(/^etcd on n1 \(10\.216\.2\.11:2379\) was not ready within 3 s \(.+\); see .*\/nodes\/n1\/etcd\.log$/);
    expect(await cluster.nodeControl!.pids('n1')).not.toEqual([]);
    await db.teardown(nodeContext(ctx(), n1()));
    expect(await cluster.nodeControl!.pids('n1')).toEqual([]);
  });
});
