/**
 * The `power-loss` fault kind in the simulator. On a real cluster it acts on a fault filesystem
 * under each node's directory (nemeses/disk.ts); here the simulated disks are the filesystem: a
 * start crashes the target nodes and drops every write their disks never fsynced, a stop starts
 * them again. Its ops are drawn by Faultline's own definition (targets, torn) and complete with
 * the same values (`{nodes, torn, seed, lost}`), so a schedule recorded here replays on a real
 * cluster and back. A torn last write is not modelled: the simulated disk keeps whole records,
 * and a torn record is one the real store drops when it loads.
 */
import type { Completion } from '../core/client.ts';
import type { NemesisDefinition } from '../core/parts.ts';
import type { Nemesis, NemesisOp } from '../core/nemesis.ts';
import type { RunContext } from '../core/context.ts';
import { defineNemesis } from '../plugins/define.ts';
import { FaultNotApplied, attempt, primariesOf, type NemesisContext } from '../../nemeses/context.ts';
import type { DiskFaultValue } from '../../nemeses/disk.ts';
import { resolveTargets } from '../../nemeses/targets.ts';
import type { Simulator } from './simulator.ts';

export const POWER_LOSS = 'power-loss';

class SimPowerLoss<Req, Rep> implements Nemesis {
  readonly name = POWER_LOSS;
  readonly fs = [`start-${POWER_LOSS}`, `stop-${POWER_LOSS}`];
  readonly #sim: Simulator<Req, Rep>;
  readonly #ctx: NemesisContext;
  /** Nodes down after a power loss, until the stop. */
  readonly #down = new Set<string>();

  constructor(sim: Simulator<Req, Rep>, ctx: NemesisContext) {
    this.#sim = sim;
    this.#ctx = ctx;
  }

  async invoke(run: RunContext, op: NemesisOp): Promise<Completion> {
    if (op.f === `stop-${POWER_LOSS}`) return attempt(async () => this.#restartAll());
    const v = (op.value ?? {}) as DiskFaultValue;
    return attempt(async () => {
      const spec = v.targets ?? 'one';
      const nodes = v.nodes ? [...v.nodes] : resolveTargets(spec, this.#ctx.nodes, this.#ctx.rng, spec === 'primaries' ? await primariesOf(this.#ctx, run) : undefined);
      if (nodes.length === 0) throw new FaultNotApplied(spec === 'primaries' ? 'no primaries right now' : 'no target nodes');
      const seed = v.seed ?? this.#ctx.rng.int(2 ** 31);
      const lost: Record<string, { droppedWrites: number }> = {};
      for (const n of nodes) {
        this.#down.add(n);
        lost[n] = { droppedWrites: this.#sim.powerLoss(n) };
      }
      return { nodes, torn: v.torn === true, seed, lost };
    });
  }

  #restartAll(): { nodes: string[] } {
    const nodes = [...this.#down].sort();
    for (const n of nodes) this.#sim.restart(n);
    this.#down.clear();
    return { nodes };
  }

  async teardown(): Promise<void> {
    this.#restartAll();
  }
}

/** Faultline's `power-loss` definition with its faults applied to the simulator's disks. */
export function simPowerLoss<Req, Rep>(real: NemesisDefinition, sim: Simulator<Req, Rep>): NemesisDefinition {
  return defineNemesis({
    name: real.name,
    description: `${real.description} (in the simulator: on the simulated disks)`,
    ...(real.color ? { color: real.color } : {}),
    options: real.options ?? {},
    create(b) {
      const { start } = real.create(b);
      return { nemesis: new SimPowerLoss(sim, { nodes: b.test.nodes, db: b.db, rng: b.rng }), start };
    },
  });
}
