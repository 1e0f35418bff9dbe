/**
 * Network faults for the local provider, kept inside the run's namespaces so the nodes never see
 * them and deleting the namespaces heals everything: partitions and loss as nft bridge tables in
 * the switch namespace (atomic), rate limits as HTB classes on the switch ports, delay through
 * the NFQUEUE helper on the switch's FORWARD path (the receiving side; the kernel has no netem),
 * duplication as TEE rules in the sending node. The controller's address is never matched.
 * A topology's WAN latency (`wan`) is one NFQUEUE helper per distinct delay in the switch, fed by
 * a mangle FORWARD chain; each region's clients get an address of their own on the controller's
 * veth, so their traffic crosses the WAN and region partitions cut it like their region's nodes'.
 * nft commands go through one long-lived `nft -i` in the switch namespace (see nft-session.ts).
 */
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import type { FaultSupport, Grudge, Link, NetFaults, PacketFaults } from '../core/provider.ts';
import type { ExecResult, Remote } from '../core/remote.ts';
import { clientEndpoint, regionOf, type Topology } from '../core/topology.ts';
import { run } from '../control/run.ts';
import { DELAYER_SPEC, startDelayer, stopDelayer } from './delayer.ts';
import { CONTROLLER_HOST, HostBuildFailed, helperOnHost } from '../control/host-build.ts';
import { grudgeLinks, withRegionClients } from './grudge.ts';
import { delayClasses, topologyEndpoints, wanDelays } from '../topology/delay-plan.ts';
import { NftSession } from './nft-session.ts';
import {
  DELAY_CHAIN,
  DUP_CHAIN,
  PACKET_TABLE,
  PARTITION_TABLE,
  delayRules,
  dupRules,
  iptablesChain,
  iptablesUnhook,
  nftLoss,
  nftPartition,
  tcRateBatch,
  WAN_CHAIN,
  type AddrLink,
} from './rules.ts';

export interface SwitchNode {
  name: string;
  address: string;
  /** The node's port (veth end) inside the switch namespace. */
  port: string;
}

export interface SwitchFaultsOptions {
  nodes: readonly SwitchNode[];
  /** The switch namespace's name (under /run/netns). */
  switchNs: string;
  /** Run prefix (marks the helper processes). */
  prefix: string;
  /** A Remote running inside the switch namespace (starts the delay helper). */
  switchRemote: Remote;
  /** The Remote of a node, for sender-side rules (duplication). */
  nodeRemote(node: string): Remote;
  /** Where the delayer's log goes. */
  logDir: string;
  /**
   * Where a topology's region clients live: the controller's veth (root namespace) and the
   * addresses free for them, one per region. Without it clients are not placed in regions.
   */
  regionClients?: { link: string; addresses: readonly string[] };
}

const DELAY_QUEUE = 0;
/** The WAN delay helpers' queues: one per distinct delay, from here up. */
const WAN_QUEUE_BASE = 100;

export class SwitchNetFaults implements NetFaults {
  readonly #o: SwitchFaultsOptions;
  readonly #addr: Map<string, string>;
  readonly #port: Map<string, string>;
  #partitioned = false;
  #lossApplied = false;
  #dupSenders: string[] = [];
  #rateDevs: string[] = [];
  #delayerPid: number | undefined;
  readonly #nft: NftSession;
  /** The topology in effect (wan), its delay helpers and the client addresses it added. */
  #topology: Topology | undefined;
  #wanPids: number[] = [];
  #wanHooked = false;
  #clientAddrs: string[] = [];

  constructor(o: SwitchFaultsOptions) {
    this.#o = o;
    this.#nft = new NftSession(o.switchNs, o.prefix, 'sw');
    this.#addr = new Map(o.nodes.map((n) => [n.name, n.address]));
    this.#port = new Map(o.nodes.map((n) => [n.name, n.port]));
  }

  #toAddr(links: readonly Link[]): AddrLink[] {
    return links.map((l) => ({ from: this.#address(l.from), to: this.#address(l.to) }));
  }

  #address(node: string): string {
    const a = this.#addr.get(node);
    if (a === undefined) throw new UsageError(`unknown node ${JSON.stringify(node)} (nodes: ${[...this.#addr.keys()].join(', ')})`);
    return a;
  }

  /**
   * Runs a rule tool in the switch namespace. `nsenter --net` only switches the network namespace
   * (no private mount namespace as with `ip netns exec`), which keeps apply/heal fast.
   */
  #sw(argv: readonly string[], opts: { input?: string; check?: boolean } = {}): Promise<ExecResult> {
    return run(['nsenter', `--net=/run/netns/${this.#o.switchNs}`, '--', ...argv], opts);
  }

  async partition(grudge: Grudge): Promise<void> {
    const placed = this.#topology && this.#clientAddrs.length > 0 ? withRegionClients(grudge, this.#topology) : grudge;
    const links = this.#toAddr(grudgeLinks(placed));
    if (links.length === 0) return this.healPartition();
    await this.#nft.run(nftPartition(links));
    this.#partitioned = true;
  }

  async healPartition(): Promise<void> {
    if (!this.#partitioned) return;
    await this.#nft.run(`delete table bridge ${PARTITION_TABLE}`);
    this.#partitioned = false;
  }

  async packet(f: PacketFaults): Promise<void> {
    await this.healPacket();
    const links = this.#toAddr(f.links);
    if (links.length === 0) return;
    try {
      if (f.loss !== undefined && f.loss > 0) {
        await this.#nft.run(nftLoss(links, f.loss));
        this.#lossApplied = true;
      }
      if (f.rateKbit !== undefined) await this.#applyRate(f.links, f.rateKbit);
      if (f.duplicate !== undefined && f.duplicate > 0) await this.#applyDup(f.links, f.duplicate);
      if ((f.delayMs ?? 0) > 0 || (f.jitterMs ?? 0) > 0) await this.#applyDelay(links, f.delayMs ?? 0, f.jitterMs ?? 0);
    } catch (e) {
      await this.healPacket();
      throw e;
    }
  }

  async #applyRate(links: readonly Link[], rateKbit: number): Promise<void> {
    const byDest = new Map<string, string[]>();
    for (const l of links) byDest.set(l.to, [...(byDest.get(l.to) ?? []), this.#address(l.from)]);
    for (const [to, sources] of byDest) {
      const dev = this.#port.get(to) as string;
      this.#rateDevs.push(dev);
      await this.#sw(['tc', '-batch', '-'], { input: tcRateBatch(dev, sources, rateKbit) });
    }
  }

  async #applyDup(links: readonly Link[], p: number): Promise<void> {
    const bySender = new Map<string, string[]>();
    for (const l of links) bySender.set(l.from, [...(bySender.get(l.from) ?? []), this.#address(l.to)]);
    for (const [from, dests] of bySender) {
      this.#dupSenders.push(from);
      await this.#o.nodeRemote(from).exec(['iptables-restore', '-w', '--noflush'], {
        input: iptablesChain('mangle', DUP_CHAIN, 'POSTROUTING', dupRules(dests, p)),
      });
    }
  }

  async #delayerBin(): Promise<string> {
    const nf = await this.#sw(['cat', '/proc/sys/net/bridge/bridge-nf-call-iptables'], { check: false });
    if (nf.stdout.trim() !== '1') {
      throw new UsageError('delay needs net.bridge.bridge-nf-call-iptables=1 in the switch namespace (br_netfilter)');
    }
    return helperOnHost(CONTROLLER_HOST, DELAYER_SPEC);
  }

  async #applyDelay(links: readonly AddrLink[], delayMs: number, jitterMs: number): Promise<void> {
    const bin = await this.#delayerBin();
    const logFile = path.join(this.#o.logDir, 'nfq-delay.log');
    this.#delayerPid = await startDelayer(this.#o.switchRemote, { bin, queue: DELAY_QUEUE, delayMs, jitterMs, logFile });
    await this.#sw(['iptables-restore', '-w', '--noflush'], {
      input: iptablesChain('filter', DELAY_CHAIN, 'FORWARD', delayRules(links, DELAY_QUEUE)),
    });
  }

  async healPacket(): Promise<void> {
    if (this.#lossApplied) {
      await this.#nft.run(`delete table bridge ${PACKET_TABLE}`);
      this.#lossApplied = false;
    }
    for (const dev of this.#rateDevs) await this.#sw(['tc', 'qdisc', 'del', 'dev', dev, 'root'], { check: false });
    this.#rateDevs = [];
    for (const node of this.#dupSenders) {
      await this.#o.nodeRemote(node).exec(['sh', '-c', iptablesUnhook('mangle', DUP_CHAIN, 'POSTROUTING')]);
    }
    this.#dupSenders = [];
    if (this.#delayerPid !== undefined) {
      await this.#sw(['sh', '-c', iptablesUnhook('filter', DELAY_CHAIN, 'FORWARD')]);
      await stopDelayer(this.#o.switchRemote, this.#delayerPid);
      this.#delayerPid = undefined;
    }
  }

  async wan(topology: Topology): Promise<void> {
    await this.healWan();
    this.#topology = topology;
    try {
      const pool = this.#o.regionClients;
      if (pool) {
        if (topology.regions.length > pool.addresses.length) throw new UsageError(`topology ${topology.name}: ${topology.regions.length} regions, but this cluster has addresses for the clients of ${pool.addresses.length}`);
        for (const [i, r] of topology.regions.entries()) {
          const address = pool.addresses[i]!;
          await run(['ip', 'addr', 'add', `${address}/32`, 'dev', pool.link]);
          this.#clientAddrs.push(address);
          this.#addr.set(clientEndpoint(r.name), address);
        }
      }
      const classes = delayClasses(wanDelays(topology, topologyEndpoints(topology, { clients: pool !== undefined })));
      if (classes.length === 0) return;
      const bin = await this.#delayerBin();
      for (const [i, c] of classes.entries()) {
        const logFile = path.join(this.#o.logDir, `nfq-wan-${i}.log`);
        this.#wanPids.push(await startDelayer(this.#o.switchRemote, { bin, queue: WAN_QUEUE_BASE + i, delayMs: c.delayMs, jitterMs: c.jitterMs, logFile }));
      }
      const rules = classes.flatMap((c, i) => delayRules(this.#toAddr(c.links), WAN_QUEUE_BASE + i));
      this.#wanHooked = true;
      await this.#sw(['iptables-restore', '-w', '--noflush'], { input: iptablesChain('mangle', WAN_CHAIN, 'FORWARD', rules) });
    } catch (e) {
      await this.healWan();
      throw e;
    }
  }

  async healWan(): Promise<void> {
    if (this.#wanHooked) await this.#sw(['sh', '-c', iptablesUnhook('mangle', WAN_CHAIN, 'FORWARD')]);
    this.#wanHooked = false;
    for (const pid of this.#wanPids) await stopDelayer(this.#o.switchRemote, pid);
    this.#wanPids = [];
    const link = this.#o.regionClients?.link;
    for (const address of this.#clientAddrs) if (link) await run(['ip', 'addr', 'del', `${address}/32`, 'dev', link], { check: false });
    this.#clientAddrs = [];
    for (const r of this.#topology?.regions ?? []) this.#addr.delete(clientEndpoint(r.name));
    this.#topology = undefined;
  }

  /** The address clients of `node` send from: its region's, while a topology with placed clients is in effect. */
  clientAddress(node: string): string | undefined {
    const region = this.#topology ? regionOf(this.#topology).get(node) : undefined;
    return region === undefined ? undefined : this.#addr.get(clientEndpoint(region));
  }

  /** Starts the nft session ahead of the first fault, so that fault does not pay for the spawn. */
  async warm(): Promise<void> {
    await this.#nft.run('list tables');
  }

  /** Stops the nft session (the namespace's deletion would end it anyway). */
  close(): void {
    this.#nft.close();
  }

  async support(): Promise<Readonly<Record<string, FaultSupport>>> {
    const has = async (argv: string[]) => (await this.#sw(argv, { check: false }).catch(() => ({ exitCode: 127 }))).exitCode === 0;
    const nft = await has(['nft', '--version']);
    const ipt = await has(['iptables', '--version']);
    const tc = await has(['tc', '-V']);
    const brnf = (await this.#sw(['cat', '/proc/sys/net/bridge/bridge-nf-call-iptables'], { check: false })).stdout.trim() === '1';
    let delay: FaultSupport = { available: true, mechanism: 'NFQUEUE delay helper in the switch namespace', fallback: true, reason: 'no netem in this kernel path; userspace delayer' };
    if (!ipt || !brnf) delay = { available: false, mechanism: 'NFQUEUE', reason: !ipt ? 'iptables missing (apt-get install iptables)' : 'bridge-nf-call-iptables is off' };
    else {
      try {
        await helperOnHost(CONTROLLER_HOST, DELAYER_SPEC);
      } catch (e) {
        delay = { available: false, mechanism: 'NFQUEUE', reason: e instanceof HostBuildFailed ? e.message : String(e) };
      }
    }
    const missing = (what: string, pkg: string): FaultSupport => ({ available: false, mechanism: what, reason: `${what} missing (apt-get install ${pkg})` });
    return {
      partition: nft ? { available: true, mechanism: 'nft bridge table in the switch namespace' } : missing('nft', 'nftables'),
      loss: nft ? { available: true, mechanism: 'nft numgen in the switch namespace' } : missing('nft', 'nftables'),
      duplicate: ipt ? { available: true, mechanism: 'iptables TEE in the sending node' } : missing('iptables', 'iptables'),
      rate: tc ? { available: true, mechanism: 'tc htb on the switch port' } : missing('tc', 'iproute2'),
      delay,
    };
  }
}
