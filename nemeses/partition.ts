/**
 * The partition nemesis: `start-partition` cuts the network along a grudge (given, or drawn from
 * a shape when the fault starts), `stop-partition` heals exactly what was applied. The completion
 * carries the concrete grudge, so a schedule replay re-applies the same cut; a cut along region
 * lines (shapes `region` and `wan-split`, only with a topology) also names the regions on each
 * side (`sides`, the cut-off side first).
 */
import type { Completion } from '../src/core/client.ts';
import type { RunContext } from '../src/core/context.ts';
import type { Nemesis, NemesisOp } from '../src/core/nemesis.ts';
import type { Grudge } from '../src/core/provider.ts';
import type { Topology } from '../src/core/topology.ts';
import { UsageError } from '../src/core/errors.ts';
import {
  bridge, checkGrudgeNodes, grudgeLinks, isolate, isolatePrimaries, isolateRegion, majoritiesRing, majorityMinority, oneWay, randomHalves, shuffle, wanSplit,
} from '../src/net/grudge.ts';
import { FaultNotApplied, attempt, primariesOf, type NemesisContext } from './context.ts';

export const PARTITION_SHAPES = ['one', 'halves', 'majority', 'ring', 'bridge', 'primaries', 'one-way', 'region', 'wan-split'] as const;
export type PartitionShape = (typeof PARTITION_SHAPES)[number];
/** Shapes that cut along region lines: drawn only when the test has a topology of two regions or more. */
export const REGION_SHAPES: readonly PartitionShape[] = ['region', 'wan-split'];

/** What a partition nemesis is made with: the nemesis context, and the test's topology if it has one. */
export interface PartitionContext extends NemesisContext {
  topology?: Topology;
  /** Regions the `region` shape cuts off, one drawn per fault (default: every region). */
  regions?: readonly string[];
}

/** A drawn cut: its grudge and, for region shapes, the regions on each side (the cut-off side first). */
export interface PartitionCut {
  grudge: Grudge;
  sides?: [string[], string[]];
}

export interface PartitionValue {
  shape?: PartitionShape;
  grudge?: Grudge;
  /** With a given grudge: the regions on each side, when it cuts along region lines (a replay). */
  sides?: [string[], string[]];
}

export function checkShape(shape: string): PartitionShape {
  if (!(PARTITION_SHAPES as readonly string[]).includes(shape)) {
    throw new UsageError(`unknown partition shape ${JSON.stringify(shape)} (shapes: ${PARTITION_SHAPES.join(', ')})`);
  }
  return shape as PartitionShape;
}

/** The grudge for a shape; `primaries` cuts each current primary off alone. */
export async function grudgeFor(shape: PartitionShape, ctx: PartitionContext, run: RunContext): Promise<Grudge> {
  return (await cutFor(shape, ctx, run)).grudge;
}

function regionsOf(ctx: PartitionContext, shape: PartitionShape): Topology {
  if (!ctx.topology || ctx.topology.regions.length < 2) throw new FaultNotApplied(`the ${shape} shape needs a topology of two regions or more`);
  return ctx.topology;
}

/** The cut for a shape, with the regions on each side for `region` and `wan-split`. */
export async function cutFor(shape: PartitionShape, ctx: PartitionContext, run: RunContext): Promise<PartitionCut> {
  if (shape === 'region') {
    const topology = regionsOf(ctx, shape);
    const choices = ctx.regions ?? topology.regions.map((r) => r.name);
    return isolateRegion(topology, shuffle(choices, ctx.rng)[0] as string);
  }
  if (shape === 'wan-split') return wanSplit(regionsOf(ctx, shape), ctx.rng);
  return { grudge: await nodeGrudgeFor(shape, ctx, run) };
}

async function nodeGrudgeFor(shape: Exclude<PartitionShape, 'region' | 'wan-split'>, ctx: NemesisContext, run: RunContext): Promise<Grudge> {
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
  readonly #ctx: PartitionContext;
  #active = false;

  constructor(ctx: PartitionContext) {
    this.#ctx = ctx;
  }

  async invoke(run: RunContext, op: NemesisOp, _opts: { signal: AbortSignal }): Promise<Completion> {
    if (op.f === 'stop-partition') return attempt(() => this.#heal(run));
    const v = (op.value ?? {}) as PartitionValue;
    return attempt(async () => {
      const net = run.cluster.net;
      if (!net) throw new FaultNotApplied('this cluster cannot inject network faults');
      const shape = v.shape ?? 'majority';
      const cut: PartitionCut = v.grudge ? { grudge: v.grudge, ...(v.sides ? { sides: v.sides } : {}) } : await cutFor(shape, this.#ctx, run);
      const grudge = cut.grudge;
      checkGrudgeNodes(grudge, this.#ctx.nodes, (m) => new FaultNotApplied(m));
      // A cut of nothing would be recorded as a partition that never was.
      if (grudgeLinks(grudge).length === 0) throw new FaultNotApplied(`the ${v.grudge ? 'given grudge' : `${shape} shape`} cuts no link here`);
      this.#active = true;
      await net.partition(grudge);
      return { ...(v.grudge ? {} : { shape }), ...(cut.sides ? { sides: cut.sides } : {}), grudge };
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
