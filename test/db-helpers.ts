/**
 * Pieces every test of a database adapter on a real cluster uses: the run context for the
 * cluster, set-up and teardown on every node, one op run through a workload client, and the
 * contract every key-value adapter's workload clients meet (the same ops and answers for etcd and
 * Consul).
 */
import { expect } from 'vitest';
import type { ClientFactory, Completion } from '../src/core/client.ts';
import { nodeContext, type RunContext } from '../src/core/context.ts';
import type { DB } from '../src/core/db.ts';
import type { Cluster } from '../src/core/provider.ts';
import { runContext } from '../src/runner/context.ts';

export function dbContext(cluster: Cluster, runDir: string, db: DB | null = null): RunContext {
  return runContext({ cluster, runDir, db });
}

/** Sets the DB up on every node; when any setup fails, tears all down and rethrows. */
export async function setUpEveryNode(db: DB, ctx: RunContext): Promise<void> {
  try {
    await Promise.all(ctx.cluster.nodes.map((n) => db.setup(nodeContext(ctx, n))));
  } catch (e) {
    await tearDownEveryNode(db, ctx);
    throw e;
  }
}

/** Tears the DB down on every node (of a cluster that may never have come up), whatever fails. */
export async function tearDownEveryNode(db: DB, ctx: RunContext | undefined): Promise<void> {
  await Promise.allSettled(ctx?.cluster.nodes.map((n) => db.teardown(nodeContext(ctx, n))) ?? []);
}

/** Runs one op as a fresh client on `node` and closes it. */
export async function once(factory: ClientFactory, ctx: RunContext, node: string, f: string, value: unknown, timeoutMs = 10_000): Promise<Completion> {
  const client = await factory.open(nodeContext(ctx, node));
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
export async function expectKvWorkloadClients(client: (workload: string) => ClientFactory | undefined, ctx: RunContext): Promise<void> {
  const nodes = ctx.cluster.nodes.map((n) => n.name);
  const on = (i: number): string => nodes[i % nodes.length] as string;
  const run = (f: ClientFactory, node: string, op: string, value: unknown): Promise<Completion> => once(f, ctx, node, op, value);
  const set = client('set')!;
  for (const e of [3, 1, 2]) expect(await run(set, on(1), 'add', e)).toEqual({ type: 'ok' });
  expect(await run(set, on(3), 'read', null)).toEqual({ type: 'ok', value: [1, 2, 3] });

  const counter = client('counter')!;
  expect(await run(counter, on(0), 'add', 5)).toEqual({ type: 'ok' });
  expect(await run(counter, on(2), 'add', -2)).toEqual({ type: 'ok' });
  expect(await run(counter, on(4), 'read', null)).toEqual({ type: 'ok', value: 3 });

  const bank = client('bank')!;
  await bank.setup!(ctx);
  await bank.setup!(ctx); // idempotent: balances stay
  expect(await run(bank, on(1), 'transfer', { from: 0, to: 1, amount: 4 })).toEqual({ type: 'ok' });
  expect(await run(bank, on(1), 'transfer', { from: 2, to: 3, amount: 11 })).toMatchObject({ type: 'fail', error: 'insufficient-funds' });
  expect(await run(bank, on(2), 'read', null)).toEqual({ type: 'ok', value: { 0: 6, 1: 14, 2: 10, 3: 10, 4: 10 } });

  const la = client('list-append')!;
  expect(await run(la, on(0), 'txn', [['append', 1, 1], ['r', 1, null], ['append', 2, 1]])).toEqual({ type: 'ok', value: [['append', 1, 1], ['r', 1, [1]], ['append', 2, 1]] });
  expect(await run(la, on(4), 'txn', [['append', 1, 2], ['r', 2, null], ['r', 1, null], ['r', 3, null]])).toEqual({
    type: 'ok',
    value: [['append', 1, 2], ['r', 2, [1]], ['r', 1, [1, 2]], ['r', 3, []]],
  });

  const rw = client('rw-register')!;
  expect(await run(rw, on(1), 'txn', [['r', 1, null], ['w', 1, 5]])).toEqual({ type: 'ok', value: [['r', 1, null], ['w', 1, 5]] });
  expect(await run(rw, on(2), 'txn', [['w', 2, 1], ['r', 1, null], ['r', 2, null]])).toEqual({ type: 'ok', value: [['w', 2, 1], ['r', 1, 5], ['r', 2, 1]] });
}
