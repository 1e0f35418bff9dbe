/**
 * Pieces every test of a database adapter on a real cluster uses: a DbContext for the cluster,
 * one op run through a workload client, and the contract every key-value adapter's workload
 * clients meet (the same ops and answers for etcd and Consul).
 */
import { expect } from 'vitest';
import type { ClientFactory, Completion } from '../src/core/client.ts';
import type { DB, DbContext } from '../src/core/db.ts';
import type { Cluster } from '../src/core/provider.ts';

export function dbContext(cluster: Cluster, runDir: string): DbContext {
  return { cluster, test: { nodes: cluster.nodes.map((n) => n.name) }, runDir };
}

/** Sets the DB up on every node; when any setup fails, tears all down and rethrows. */
export async function setUpEveryNode(db: DB, cluster: Cluster, ctx: () => DbContext): Promise<void> {
  try {
    await Promise.all(cluster.nodes.map((n) => db.setup(ctx(), n)));
  } catch (e) {
    await tearDownEveryNode(db, cluster, ctx);
    throw e;
  }
}

/** Tears the DB down on every node (of a cluster that may never have come up), whatever fails. */
export async function tearDownEveryNode(db: DB, cluster: Cluster | undefined, ctx: () => DbContext): Promise<void> {
  await Promise.allSettled(cluster?.nodes.map((n) => db.teardown(ctx(), n)) ?? []);
}

/** Runs one op as a fresh client on `node` and closes it. */
export async function once(factory: ClientFactory, node: string, f: string, value: unknown, timeoutMs = 10_000): Promise<Completion> {
  const client = await factory.open(node, {});
  try {
    return await client.invoke({ process: 0, f, value }, { signal: AbortSignal.timeout(timeoutMs) });
  } finally {
    await client.close();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the set, counter, bank, list-append and rw-register clients end to end on a fresh
 * cluster, spreading the ops over `nodes`: each op's answer must be the one a linearizable
 * key-value store gives.
 */
export async function expectKvWorkloadClients(client: (workload: string) => ClientFactory | undefined, nodes: readonly string[]): Promise<void> {
  const on = (i: number): string => nodes[i % nodes.length] as string;
  const set = client('set')!;
  for (const e of [3, 1, 2]) expect(await once(set, on(1), 'add', e)).toEqual({ type: 'ok' });
  expect(await once(set, on(3), 'read', null)).toEqual({ type: 'ok', value: [1, 2, 3] });

  const counter = client('counter')!;
  expect(await once(counter, on(0), 'add', 5)).toEqual({ type: 'ok' });
  expect(await once(counter, on(2), 'add', -2)).toEqual({ type: 'ok' });
  expect(await once(counter, on(4), 'read', null)).toEqual({ type: 'ok', value: 3 });

  const bank = client('bank')!;
  await bank.setup!({ nodes: [on(0), on(1)] });
  await bank.setup!({ nodes: [on(0)] }); // idempotent: balances stay
  expect(await once(bank, on(1), 'transfer', { from: 0, to: 1, amount: 4 })).toEqual({ type: 'ok' });
  expect(await once(bank, on(1), 'transfer', { from: 2, to: 3, amount: 11 })).toMatchObject({ type: 'fail', error: 'insufficient-funds' });
  expect(await once(bank, on(2), 'read', null)).toEqual({ type: 'ok', value: { 0: 6, 1: 14, 2: 10, 3: 10, 4: 10 } });

  const la = client('list-append')!;
  expect(await once(la, on(0), 'txn', [['append', 1, 1], ['r', 1, null], ['append', 2, 1]])).toEqual({ type: 'ok', value: [['append', 1, 1], ['r', 1, [1]], ['append', 2, 1]] });
  expect(await once(la, on(4), 'txn', [['append', 1, 2], ['r', 2, null], ['r', 1, null], ['r', 3, null]])).toEqual({
    type: 'ok',
    value: [['append', 1, 2], ['r', 2, [1]], ['r', 1, [1, 2]], ['r', 3, []]],
  });

  const rw = client('rw-register')!;
  expect(await once(rw, on(1), 'txn', [['r', 1, null], ['w', 1, 5]])).toEqual({ type: 'ok', value: [['r', 1, null], ['w', 1, 5]] });
  expect(await once(rw, on(2), 'txn', [['w', 2, 1], ['r', 1, null], ['r', 2, null]])).toEqual({ type: 'ok', value: [['w', 2, 1], ['r', 1, 5], ['r', 2, 1]] });
}
