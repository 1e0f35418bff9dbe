/**
 * The partition nemesis: `start-partition` cuts the network along a grudge (given, or drawn from
 * a shape when the fault starts), `stop-partition` heals exactly what was applied. The completion
 * carries the concrete grudge, so a schedule replay re-applies the same cut.
 */
import type { Completion } from '../src/core/client.ts';
import type { RunContext } from '../src/core/context.ts';
import type { Nemesis, NemesisOp } from '../src/core/nemesis.ts';
import type { Grudge } from '../src/core/provider.ts';
import { UsageError } from '../src/core/errors.ts';
import { bridge, checkGrudgeNodes, grudgeLinks, isolate, isolatePrimaries, majoritiesRing, majorityMinority, oneWay, randomHalves, shuffle } from '../src/net/grudge.ts';
import { FaultNotApplied, attempt, primariesOf, type NemesisContext } from './context.ts';

export const PARTITION_SHAPES = ['one', 'halves', 'majority', 'ring', 'bridge', 'primaries', 'one-way'] as const;
export type PartitionShape = (typeof PARTITION_SHAPES)[number];

export interface PartitionValue {
  shape?: PartitionShape;
  grudge?: Grudge;
}

export function checkShape(shape: string): PartitionShape {
  if (!(PARTITION_SHAPES as readonly string[]).includes(shape)) {
    throw new UsageError(`unknown partition shape ${JSON.stringify(shape)} (shapes: ${PARTITION_SHAPES.join(', ')})`);
  }
  return shape as PartitionShape;
}

/** The grudge for a shape; `primaries` cuts each current primary off alone. */
export async function grudgeFor(shape: PartitionShape, ctx: NemesisContext, run: RunContext): Promise<Grudge> {
  const nodes = ctx.nodes;
  switch (shape) {
    case 'one':
      return isolate(shuffle(nodes, ctx.rng)[0] as string, nodes);
    case 'halves':
      return randomHalves(nodes, ctx.rng);
    case 'majority':
      return majorityMinority(nodes, ctx.rng);
    case 'ring':
      return majoritiesRing(nodes, ctx.rng);
    case 'bridge':
      return bridge(nodes, ctx.rng);
    case 'one-way': {
      const [victim, ...rest] = shuffle(nodes, ctx.rng) as [string, ...string[]];
      return oneWay(rest, [victim]);
    }
    case 'primaries': {
      const p = await primariesOf(ctx, run);
      if (p.length === 0) throw new FaultNotApplied('no primaries right now');
      return isolatePrimaries(p, nodes);
    }
  }
}

export class PartitionNemesis implements Nemesis {
  readonly name = 'partition';
  readonly fs = ['start-partition', 'stop-partition'] as const;
  readonly #ctx: NemesisContext;
  #active = false;

  constructor(ctx: NemesisContext) {
    this.#ctx = ctx;
  }

  async invoke(run: RunContext, op: NemesisOp, _opts: { signal: AbortSignal }): Promise<Completion> {
    if (op.f === 'stop-partition') return attempt(() => this.#heal(run));
    const v = (op.value ?? {}) as PartitionValue;
    return attempt(async () => {
      const net = run.cluster.net;
      if (!net) throw new FaultNotApplied('this cluster cannot inject network faults');
      const shape = v.shape ?? 'majority';
      const grudge = v.grudge ?? (await grudgeFor(shape, this.#ctx, run));
      checkGrudgeNodes(grudge, this.#ctx.nodes, (m) => new FaultNotApplied(m));
      // A cut of nothing would be recorded as a partition that never was.
      if (grudgeLinks(grudge).length === 0) throw new FaultNotApplied(`the ${v.grudge ? 'given grudge' : `${shape} shape`} cuts no link here`);
      this.#active = true;
      await net.partition(grudge);
      return { ...(v.grudge ? {} : { shape }), grudge };
    });
  }

  async #heal(run: RunContext): Promise<string> {
    await run.cluster.net?.healPartition();
    this.#active = false;
    return 'healed';
  }

  async teardown(run: RunContext): Promise<void> {
    if (this.#active) await this.#heal(run);
  }
}
