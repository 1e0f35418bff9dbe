/**
 * A simulated cluster behind the ordinary protocols, so Faultline's own nemeses (partition, kill,
 * pause, clock, packet: nemeses/*) inject their faults into the simulator unchanged: the Cluster's
 * NetFaults set grudges and packet faults on the simulated network, its ClockControl sets node
 * clock offsets, and the DB's kill / start / pause / resume crash, restart, freeze and thaw
 * simulated nodes. Every call acts at once, at the current simulated time.
 */
import type { NodeContext, RunContext } from '../core/context.ts';
import type { DB } from '../core/db.ts';
import type { Cluster, FaultSupport, Grudge, PacketFaults } from '../core/provider.ts';
import type { Remote } from '../core/remote.ts';
import type { Simulator } from './simulator.ts';

const SIMULATED: FaultSupport = { available: true, mechanism: 'simulated network' };

export function simCluster<Req, Rep>(sim: Simulator<Req, Rep>): Cluster {
  return {
    nodes: sim.nodeIds.map((name) => ({ name, address: name })),
    remote(node: string): Remote {
      throw new Error(`node ${node} is simulated: it has no remote to run commands on`);
    },
    net: {
      partition: async (grudge: Grudge) => sim.network.partition(grudge),
      healPartition: async () => sim.network.healPartition(),
      packet: async ({ links, ...faults }: PacketFaults) => sim.network.setPacketFaults(links, faults),
      healPacket: async () => sim.network.healPacketFaults(),
      support: async () => ({ partition: SIMULATED, loss: SIMULATED, duplicate: SIMULATED, rate: SIMULATED, delay: SIMULATED }),
    },
    clock: {
      setOffset: async (node: string, offsetMs: number) => sim.setClockOffset(node, offsetMs),
      offset: (node: string) => sim.clockOffset(node),
    },
  };
}

/** The simulated nodes as a DB: what the process nemeses and the `primaries` targets use. */
export function simDb<Req, Rep>(name: string, sim: Simulator<Req, Rep>): DB {
  return {
    name,
    honoursFakeClock: true,
    setup: async () => {},
    teardown: async () => {},
    kill: async (ctx: NodeContext) => sim.crash(ctx.node.name),
    start: async (ctx: NodeContext) => sim.restart(ctx.node.name),
    pause: async (ctx: NodeContext) => sim.pause(ctx.node.name),
    resume: async (ctx: NodeContext) => sim.resume(ctx.node.name),
    // What a client polling every node's status would learn: running, unpaused nodes that lead.
    primaries: async (_ctx: RunContext) => sim.nodeIds.filter((id) => !sim.isPaused(id) && sim.node(id)?.status().role === 'leader'),
  };
}
