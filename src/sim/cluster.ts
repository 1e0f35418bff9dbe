/**
 * A simulated cluster behind the ordinary protocols, so Faultline's own nemeses (partition, kill,
 * pause, clock, packet: nemeses/*) inject their faults into the simulator unchanged: the Cluster's
 * NetFaults set grudges and packet faults on the simulated network, its ClockControl sets node
 * clock offsets, and the DB's kill / start / pause / resume crash, restart, freeze and thaw
 * simulated nodes: each acts at once, at the current simulated time. Operator commands
 * (membership changes, shard moves) take simulated time, as they take real time on real nodes.
 */
import type { NodeContext, RunContext } from '../core/context.ts';
import type { DB } from '../core/db.ts';
import type { Cluster, FaultSupport, Grudge, PacketFaults } from '../core/provider.ts';
import type { Remote } from '../core/remote.ts';
import { addMember, Rebalancer, removeMember, topLeaders, type OperatorChannel } from '../db/reference/operator.ts';
import { outcomeOfReply, type StoreOutcome } from '../stores/client.ts';
import type { StoreReply, StoreRequest, StoreStatus } from '../stores/protocol.ts';
import type { AdminCommand } from '../stores/runtime.ts';
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

/**
 * The simulated nodes as a DB: what the process nemeses and the `primaries` targets use, and,
 * for node logic with operator commands, what the membership nemesis (`removeMember` /
 * `addMember`) and the rebalance nemesis (`rebalance`) call, through the same operator code a
 * real run uses (src/db/reference/operator.ts), in simulated time.
 */
export function simDb(name: string, sim: Simulator<StoreRequest, StoreReply>, adminCommands: readonly AdminCommand[] = []): DB {
  const operator = simOperator(sim);
  const rebalancer = new Rebalancer();
  return {
    name,
    honoursFakeClock: true,
    setup: async () => {},
    teardown: async () => {},
    kill: async (ctx: NodeContext) => sim.crash(ctx.node.name),
    start: async (ctx: NodeContext) => sim.restart(ctx.node.name),
    pause: async (ctx: NodeContext) => sim.pause(ctx.node.name),
    resume: async (ctx: NodeContext) => sim.resume(ctx.node.name),
    primaries: async (_ctx: RunContext) => (await operator.leaders()).map((s) => s.node),
    ...(adminCommands.includes('members')
      ? { removeMember: (ctx: RunContext) => removeMember(operator, ctx.rng), addMember: (_ctx: RunContext, node: string) => addMember(operator, node) }
      : {}),
    ...(adminCommands.includes('rebalance') ? { rebalance: (_ctx: RunContext, opts: { split: boolean }) => rebalancer.rebalance(operator, opts) } : {}),
  };
}

/**
 * The simulated nodes for an operator: what a client polling every node's status would learn
 * (running, unpaused nodes that lead, of the highest term), and operator commands over the client
 * links, answered within their timeout. An answer resolves in an event of its own that marks
 * async work, so whatever awaits it goes on at that simulated time.
 */
function simOperator(sim: Simulator<StoreRequest, StoreReply>): OperatorChannel {
  return {
    nodes: sim.nodeIds,
    leaders: async () => topLeaders(sim.nodeIds.map((id) => (sim.isUp(id) && !sim.isPaused(id) ? ({ ...sim.node(id)!.status(), node: id } as StoreStatus) : null))),
    admin: (node, command, body, timeoutMs) =>
      new Promise<StoreOutcome>((resolve) => {
        let answered = false;
        const finish = (out: StoreOutcome): void => {
          if (answered) return;
          answered = true;
          deadline.run = null;
          sim.schedule(0, () => resolve(out), true);
        };
        const deadline = sim.schedule(timeoutMs, () => finish({ type: 'info', error: 'timeout', message: `no reply from ${node} within ${timeoutMs} ms`, node }));
        sim.admin(node, command, body, (r) => {
          if (r.kind === 'refused') finish({ type: 'fail', error: 'connect-failed', message: `${node}: connection refused`, node });
          else if (r.kind === 'reset') finish({ type: 'info', error: 'connection-error', message: `${node}: connection reset`, node });
          else finish(outcomeOfReply(r.reply, false, node));
        });
      }),
  };
}
