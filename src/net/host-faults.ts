/**
 * Network faults for clusters of real hosts (the ssh provider), Jepsen style: rules live on the
 * nodes themselves, in chains of our own (FAULTLINE-*) hooked into the host's tables, so heal
 * removes exactly what was applied and nothing else. Partitions and loss drop on the receiver's
 * INPUT, duplication TEEs on the sender, rate limits are HTB classes per destination on the
 * sender's egress device, and delay queues packets on the receiver's INPUT to the NFQUEUE delay
 * helper, compiled on the host on first use (the kernels we target may lack netem). A topology's
 * WAN latency (`wan`) is the same helper on each receiving host, one per distinct delay, fed from
 * a mangle INPUT chain. Only node addresses are matched: the controller's traffic never is, so
 * clients are not placed in regions here.
 */
import { UsageError } from '../core/errors.ts';
import { HOST_TOOLS_DIR, HostBuildFailed, helperOnHost } from '../control/host-build.ts';
import { FAULT_HELPER_ENV } from '../control/marker.ts';
import type { FaultSupport, Grudge, Link, NetFaults, PacketFaults } from '../core/provider.ts';
import type { Remote } from '../core/remote.ts';
import type { Topology } from '../core/topology.ts';
import { grudgeLinks } from './grudge.ts';
import { delayClasses, topologyEndpoints, wanDelays, type LinkDelay } from '../topology/delay-plan.ts';
import { DELAYER_SPEC, startDelayer, stopDelayer } from './delayer.ts';
import {
  DELAY_CHAIN,
  DUP_CHAIN,
  LOSS_CHAIN,
  PART_CHAIN,
  delayRules,
  dropFromRules,
  dupRules,
  iptablesChain,
  iptablesUnhook,
  lossFromRules,
  tcRateBatch,
  WAN_CHAIN,
} from './rules.ts';

/** The netfilter queue the delay helper reads on each host (away from 0, which other tools use). */
export const HOST_DELAY_QUEUE = 17000;
/** The WAN delay helpers' queues on each host: one per distinct delay, from here up. */
export const HOST_WAN_QUEUE_BASE = 17100;

export interface HostNode {
  name: string;
  address: string;
}

export class HostNetFaults implements NetFaults {
  readonly #addr: Map<string, string>;
  readonly #remote: (node: string) => Remote;
  #partitioned = new Set<string>();
  #lossNodes = new Set<string>();
  #dupNodes = new Set<string>();
  #rateDevs = new Map<string, string>();
  /** Receiving node -> pid of its delay helper. */
  #delayers = new Map<string, number>();
  /** Receiving node -> pids of its WAN delay helpers. */
  #wanDelayers = new Map<string, number[]>();

  constructor(nodes: readonly HostNode[], remote: (node: string) => Remote) {
    this.#addr = new Map(nodes.map((n) => [n.name, n.address]));
    this.#remote = remote;
  }

  #address(node: string): string {
    const a = this.#addr.get(node);
    if (a === undefined) throw new UsageError(`unknown node ${JSON.stringify(node)} (nodes: ${[...this.#addr.keys()].join(', ')})`);
    return a;
  }

  /** Sources per receiving node. */
  #byReceiver(links: readonly Link[]): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const l of links) m.set(l.to, [...(m.get(l.to) ?? []), this.#address(l.from)]);
    return m;
  }

  async #chain(node: string, table: string, chain: string, hook: string, rules: string[]): Promise<void> {
    const r = this.#remote(node);
    await r.exec(['sh', '-c', iptablesUnhook(table, chain, hook)]);
    await r.exec(['iptables-restore', '-w', '--noflush'], { input: iptablesChain(table, chain, hook, rules) });
  }

  async #unhook(nodes: Iterable<string>, table: string, chain: string, hook: string): Promise<void> {
    await Promise.all([...nodes].map((n) => this.#remote(n).exec(['sh', '-c', iptablesUnhook(table, chain, hook)])));
  }

  async partition(grudge: Grudge): Promise<void> {
    const byRecv = this.#byReceiver(grudgeLinks(grudge));
    const stale = [...this.#partitioned].filter((n) => !byRecv.has(n));
    await this.#unhook(stale, 'filter', PART_CHAIN, 'INPUT');
    this.#partitioned = new Set(byRecv.keys());
    await Promise.all([...byRecv].map(([node, froms]) => this.#chain(node, 'filter', PART_CHAIN, 'INPUT', dropFromRules(froms))));
  }

  async healPartition(): Promise<void> {
    await this.#unhook(this.#partitioned, 'filter', PART_CHAIN, 'INPUT');
    this.#partitioned.clear();
  }

  async packet(f: PacketFaults): Promise<void> {
    await this.healPacket();
    if ((f.delayMs ?? 0) > 0 || (f.jitterMs ?? 0) > 0) {
      const byRecv = this.#byReceiver(f.links);
      await Promise.all([...byRecv].map(([node, froms]) => this.#delay(node, froms, f.delayMs ?? 0, f.jitterMs ?? 0)));
    }
    if (f.loss !== undefined && f.loss > 0) {
      const byRecv = this.#byReceiver(f.links);
      for (const n of byRecv.keys()) this.#lossNodes.add(n);
      await Promise.all([...byRecv].map(([node, froms]) => this.#chain(node, 'filter', LOSS_CHAIN, 'INPUT', lossFromRules(froms, f.loss as number))));
    }
    const bySender = new Map<string, string[]>();
    for (const l of f.links) bySender.set(l.from, [...(bySender.get(l.from) ?? []), this.#address(l.to)]);
    if (f.duplicate !== undefined && f.duplicate > 0) {
      for (const n of bySender.keys()) this.#dupNodes.add(n);
      await Promise.all([...bySender].map(([node, tos]) => this.#chain(node, 'mangle', DUP_CHAIN, 'POSTROUTING', dupRules(tos, f.duplicate as number))));
    }
    if (f.rateKbit !== undefined) {
      for (const [node, tos] of bySender) {
        const r = this.#remote(node);
        const dev = (await r.exec(['ip', '-o', 'route', 'get', tos[0] as string])).stdout.match(/ dev (\S+)/)?.[1];
        if (!dev) throw new Error(`${node}: cannot find the device towards ${tos[0]}`);
        this.#rateDevs.set(node, dev);
        await r.exec(['tc', '-batch', '-'], { input: tcRateBatch(dev, tos, f.rateKbit, 'dst') });
      }
    }
  }

  /** Starts the delay helper on the receiving node, then queues packets from `froms` to it. */
  async #delay(node: string, froms: readonly string[], delayMs: number, jitterMs: number): Promise<void> {
    const r = this.#remote(node);
    const bin = await helperOnHost(r, DELAYER_SPEC);
    const logFile = `${HOST_TOOLS_DIR}/nfq-delay-${node}.log`;
    // Marked as a fault helper: killing or pausing the node's DB must not end the delay.
    const pid = await startDelayer(r, { bin, queue: HOST_DELAY_QUEUE, delayMs, jitterMs, logFile, env: FAULT_HELPER_ENV });
    this.#delayers.set(node, pid);
    const to = this.#address(node);
    await this.#chain(node, 'filter', DELAY_CHAIN, 'INPUT', delayRules(froms.map((from) => ({ from, to })), HOST_DELAY_QUEUE));
  }

  async healPacket(): Promise<void> {
    await this.#unhook(this.#delayers.keys(), 'filter', DELAY_CHAIN, 'INPUT');
    await Promise.all([...this.#delayers].map(([node, pid]) => stopDelayer(this.#remote(node), pid)));
    this.#delayers.clear();
    await this.#unhook(this.#lossNodes, 'filter', LOSS_CHAIN, 'INPUT');
    this.#lossNodes.clear();
    await this.#unhook(this.#dupNodes, 'mangle', DUP_CHAIN, 'POSTROUTING');
    this.#dupNodes.clear();
    await Promise.all([...this.#rateDevs].map(([node, dev]) => this.#remote(node).exec(['tc', 'qdisc', 'del', 'dev', dev, 'root'], { check: false })));
    this.#rateDevs.clear();
  }

  async wan(topology: Topology): Promise<void> {
    await this.healWan();
    const byReceiver = new Map<string, LinkDelay[]>();
    for (const l of wanDelays(topology, topologyEndpoints(topology, { clients: false }))) byReceiver.set(l.to, [...(byReceiver.get(l.to) ?? []), l]);
    try {
      await Promise.all([...byReceiver].map(([node, links]) => this.#wanOn(node, links)));
    } catch (e) {
      await this.healWan();
      throw e;
    }
  }

  /** Starts one delay helper per distinct delay on the receiving node, then queues each sender to its helper. */
  async #wanOn(node: string, links: readonly LinkDelay[]): Promise<void> {
    const r = this.#remote(node);
    const bin = await helperOnHost(r, DELAYER_SPEC);
    const classes = delayClasses(links);
    const pids: number[] = [];
    this.#wanDelayers.set(node, pids);
    for (const [i, c] of classes.entries()) {
      const logFile = `${HOST_TOOLS_DIR}/nfq-wan-${node}-${i}.log`;
      pids.push(await startDelayer(r, { bin, queue: HOST_WAN_QUEUE_BASE + i, delayMs: c.delayMs, jitterMs: c.jitterMs, logFile, env: FAULT_HELPER_ENV }));
    }
    const to = this.#address(node);
    const rules = classes.flatMap((c, i) => delayRules(c.links.map((l) => ({ from: this.#address(l.from), to })), HOST_WAN_QUEUE_BASE + i));
    await this.#chain(node, 'mangle', WAN_CHAIN, 'INPUT', rules);
  }

  async healWan(): Promise<void> {
    await this.#unhook(this.#wanDelayers.keys(), 'mangle', WAN_CHAIN, 'INPUT');
    await Promise.all([...this.#wanDelayers].flatMap(([node, pids]) => pids.map((pid) => stopDelayer(this.#remote(node), pid))));
    this.#wanDelayers.clear();
  }

  async support(): Promise<Readonly<Record<string, FaultSupport>>> {
    const first = [...this.#addr.keys()][0];
    const has = async (argv: string[]) => first !== undefined && (await this.#remote(first).exec(argv, { check: false }).catch(() => ({ exitCode: 127 }))).exitCode === 0;
    const ipt = await has(['iptables', '--version']);
    const tc = await has(['tc', '-V']);
    let delay: FaultSupport = { available: true, mechanism: 'NFQUEUE delay helper on each receiving host', fallback: true, reason: 'userspace delayer, built on the hosts; netem is not required' };
    if (!ipt) delay = { available: false, mechanism: 'NFQUEUE', reason: 'iptables missing on the hosts (apt-get install iptables)' };
    else if (first !== undefined) {
      try {
        await helperOnHost(this.#remote(first), DELAYER_SPEC);
      } catch (e) {
        delay = { available: false, mechanism: 'NFQUEUE', reason: e instanceof HostBuildFailed ? e.message : String(e) };
      }
    }
    const ok = (mechanism: string): FaultSupport => ({ available: true, mechanism });
    const no = (mechanism: string, reason: string): FaultSupport => ({ available: false, mechanism, reason });
    const iptMissing = 'iptables missing on the hosts (apt-get install iptables)';
    return {
      partition: ipt ? ok('iptables DROP chain on each receiving host') : no('iptables', iptMissing),
      loss: ipt ? ok('iptables statistic chain on each receiving host') : no('iptables', iptMissing),
      duplicate: ipt ? ok('iptables TEE on each sending host') : no('iptables', iptMissing),
      rate: tc ? ok('tc htb per destination on the sending host') : no('tc', 'tc missing on the hosts (apt-get install iproute2)'),
      delay,
    };
  }
}
