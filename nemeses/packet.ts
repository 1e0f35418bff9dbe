/**
 * The packet nemesis: loss, duplication, rate limits and delay with jitter on chosen node pairs
 * (never the controller's traffic), through the cluster's NetFaults. `start-packet` replaces the
 * current packet faults; `stop-packet` removes them. The completion lists the concrete links.
 */
import type { Completion } from '../src/core/client.ts';
import type { RunContext } from '../src/core/context.ts';
import type { Nemesis, NemesisOp } from '../src/core/nemesis.ts';
import type { Link, PacketFaults } from '../src/core/provider.ts';
import { UsageError } from '../src/core/errors.ts';
import { FaultNotApplied, attempt, primariesOf, type NemesisContext } from './context.ts';
import { resolveTargets, type TargetSpec } from './targets.ts';

export interface PacketValue extends Omit<PacketFaults, 'links'> {
  /** Explicit directed links; otherwise every link to or from the target nodes. */
  links?: readonly Link[];
  targets?: TargetSpec;
}

/** Every directed link between a target and any other node, both ways. */
export function linksTouching(targets: readonly string[], nodes: readonly string[]): Link[] {
  const links: Link[] = [];
  for (const a of nodes) {
    for (const b of nodes) {
      if (a !== b && (targets.includes(a) || targets.includes(b))) links.push({ from: a, to: b });
    }
  }
  return links;
}

/** Checks probabilities and sizes; throws a one-line UsageError naming the bad field. */
export function checkPacketValue(v: PacketValue): void {
  for (const k of ['loss', 'duplicate'] as const) {
    const x = v[k];
    if (x !== undefined && !(x >= 0 && x <= 1)) throw new UsageError(`packet ${k} must be within 0..1, got ${x}`);
  }
  for (const k of ['rateKbit', 'delayMs', 'jitterMs'] as const) {
    const x = v[k];
    if (x !== undefined && !(Number.isFinite(x) && x >= 0)) throw new UsageError(`packet ${k} must be a non-negative number, got ${x}`);
  }
}

export class PacketNemesis implements Nemesis {
  readonly name = 'packet';
  readonly fs = ['start-packet', 'stop-packet'] as const;
  readonly #ctx: NemesisContext;
  #active = false;

  constructor(ctx: NemesisContext) {
    this.#ctx = ctx;
  }

  async invoke(run: RunContext, op: NemesisOp, _opts: { signal: AbortSignal }): Promise<Completion> {
    if (op.f === 'stop-packet') return attempt(() => this.#heal(run));
    const v = (op.value ?? {}) as PacketValue;
    return attempt(async () => {
      try {
        checkPacketValue(v);
      } catch (e) {
        throw new FaultNotApplied((e as Error).message);
      }
      const net = run.cluster.net;
      if (!net) throw new FaultNotApplied('this cluster cannot inject network faults');
      let links = v.links ? [...v.links] : undefined;
      if (!links) {
        const prim = v.targets === 'primaries' ? await primariesOf(this.#ctx, run) : undefined;
        if (prim?.length === 0) throw new FaultNotApplied('no primaries right now');
        links = linksTouching(resolveTargets(v.targets ?? 'one', this.#ctx.nodes, this.#ctx.rng, prim), this.#ctx.nodes);
      }
      if (links.length === 0) throw new FaultNotApplied('no links to act on');
      const { targets: _t, ...faults } = v;
      this.#active = true;
      await net.packet({ ...faults, links });
      return { ...faults, links };
    });
  }

  async #heal(run: RunContext): Promise<string> {
    await run.cluster.net?.healPacket();
    this.#active = false;
    return 'healed';
  }

  async teardown(run: RunContext): Promise<void> {
    if (this.#active) await this.#heal(run);
  }
}
