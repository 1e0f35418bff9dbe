/**
 * What every built-in nemesis is made with: the node names (known before the cluster is up), the
 * DB, and a seeded Rng for choices made when a fault is applied; the cluster itself arrives with
 * each call (RunContext). Also the shared shape of nemesis completions.
 */
import type { Completion } from '../src/core/client.ts';
import type { RunContext } from '../src/core/context.ts';
import type { DB } from '../src/core/db.ts';
import { FaultlineError } from '../src/core/errors.ts';
import type { Rng } from '../src/core/generator.ts';

export interface NemesisContext {
  nodes: readonly string[];
  db: DB | null;
  rng: Rng;
}

/** The fault could not be applied at all (definitely not in effect). */
export class FaultNotApplied extends FaultlineError {
  constructor(message: string) {
    super('E_FAULT', message);
  }
}

/**
 * Runs a fault action: `ok` with the resolved value; `fail` when it was refused before touching
 * anything; `info` when it broke half-way (the fault may be partly in effect).
 */
export async function attempt(action: () => Promise<unknown>): Promise<Completion> {
  try {
    return { type: 'ok', value: await action() };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return { type: e instanceof FaultNotApplied ? 'fail' : 'info', error };
  }
}

export async function primariesOf(ctx: NemesisContext, run: RunContext): Promise<string[]> {
  if (!ctx.db?.primaries) throw new FaultNotApplied(`db ${ctx.db?.name ?? '(none)'} cannot tell its primaries`);
  return [...(await ctx.db.primaries(run))];
}

/** Runs `fn` on every node in parallel; throws one error naming each node that failed. */
export async function onEach(nodes: readonly string[], fn: (node: string) => Promise<void>): Promise<void> {
  const r = await Promise.allSettled(nodes.map(fn));
  const bad = r.flatMap((x, i) => (x.status === 'rejected' ? [`${nodes[i]}: ${x.reason instanceof Error ? x.reason.message : String(x.reason)}`] : []));
  if (bad.length > 0) throw new Error(bad.join('; '));
}
