/**
 * The Provider protocol: brings a cluster of nodes up and down (local namespaces, ssh hosts,
 * docker containers) and says which faults it can inject.
 *
 * Fault primitives hang off the Cluster as optional capabilities, so nemeses are written once:
 * `net` (partitions and packet faults), `nodeControl` (freeze / thaw / kill a node's processes)
 * and `clock` (per-node wall-clock offset for processes started under libfaketime).
 */
import type { Remote } from './remote.ts';
import type { Topology } from './topology.ts';

export interface NodeInfo {
  /** n1..nN */
  name: string;
  /** The address clients and peers use to reach the node. */
  address: string;
}

/**
 * A grudge: node -> the nodes whose packets it drops. `{n1: [n2]}` means n1 no longer hears n2
 * (a one-way cut); a symmetric partition lists each side in the other's entry.
 */
export type Grudge = Readonly<Record<string, readonly string[]>>;

/** A directed node pair: packets travelling from `from` to `to`. */
export interface Link {
  from: string;
  to: string;
}

/** Packet-level faults on chosen directed links. Fields left out are not applied. */
export interface PacketFaults {
  links: readonly Link[];
  /** Probability in [0, 1] that a packet on a link is dropped. */
  loss?: number;
  /** Probability in [0, 1] that a packet on a link is sent twice. */
  duplicate?: number;
  /** Rate limit per link, kilobits per second. */
  rateKbit?: number;
  /** Added one-way delay in milliseconds, applied on the receiving side. */
  delayMs?: number;
  /** Uniform jitter in milliseconds added on top of `delayMs` (reorders packets). */
  jitterMs?: number;
}

/** How one network fault kind is implemented here, or why it is not. */
export interface FaultSupport {
  available: boolean;
  /** The mechanism used, e.g. "nft bridge table in the switch namespace". */
  mechanism: string;
  /** True when a fallback mechanism stands in for the usual one (e.g. NFQUEUE for netem). */
  fallback?: boolean;
  /** Why it is unavailable or degraded, and what fixes it. */
  reason?: string;
}

export interface NetFaults {
  /** Replaces the current partition with this grudge, atomically where the mechanism allows. */
  partition(grudge: Grudge): Promise<void>;
  /** Removes exactly the partition rules this object applied. */
  healPartition(): Promise<void>;
  /** Replaces the current packet faults with these. */
  packet(faults: PacketFaults): Promise<void>;
  /** Removes exactly the packet faults this object applied (rules, qdiscs, delayer processes). */
  healPacket(): Promise<void>;
  /** What works on this cluster, per fault kind: partition, loss, duplicate, rate, delay. */
  support(): Promise<Readonly<Record<string, FaultSupport>>>;
  /**
   * Holds every packet between nodes of different regions for the one-way delay of their WAN
   * link, from now until `healWan`: a topology's steady state, not a fault (packet faults add on
   * top, and healing them leaves it in place). Partitions applied afterwards also cut the regions'
   * clients where the provider places them. Without it a cluster cannot run a test with a topology.
   */
  wan?(topology: Topology): Promise<void>;
  /** Removes exactly what `wan` applied (rules, delay helpers, client addresses). */
  healWan?(): Promise<void>;
}

/** Acts on every process of one node at once (cgroup freezer / kill, SIGSTOP fallback). */
export interface NodeControl {
  freeze(node: string): Promise<void>;
  thaw(node: string): Promise<void>;
  /** SIGKILLs every process the node runs; resolves once they are gone. */
  killAll(node: string): Promise<void>;
  /** Pids of the node's running processes (those started through its Remote; not one killed and not yet reaped). */
  pids(node: string): Promise<number[]>;
  /** "cgroup2 freezer", "cgroup1 freezer" or "SIGSTOP". */
  readonly pauseMechanism: string;
}

/** Per-node wall-clock offset seen by processes started with the cluster's fake-clock env. */
export interface ClockControl {
  /** Sets the node's offset from real time, in milliseconds (may be negative). */
  setOffset(node: string, offsetMs: number): Promise<void>;
  /** The offset last set for the node (0 when never set). */
  offset(node: string): number;
}

/** Where a node's files can be put under a fault filesystem. */
export interface DiskHost {
  /** The machine whose mount table the node's processes see (the controller for local namespaces). */
  host: Pick<Remote, 'node' | 'exec' | 'upload'>;
  /** Names the mount (`<run prefix>:<node>`), so the provider's cleanup finds it after a crash. */
  tag: string;
}

export interface Cluster {
  readonly nodes: readonly NodeInfo[];
  remote(node: string): Remote;
  readonly net?: NetFaults;
  readonly nodeControl?: NodeControl;
  readonly clock?: ClockControl;
  /** Where disk faults are mounted for a node; absent when the provider cannot mount fault filesystems. */
  diskHost?(node: string): DiskHost;
  /**
   * The address a client of `node` sends from, when the provider places clients in their node's
   * region (the local provider with a topology): its packets to other regions cross the WAN and
   * region partitions cut it. Undefined: the controller's own address, never delayed or cut.
   */
  clientAddress?(node: string): string | undefined;
}

export interface Provider {
  readonly name: string;
  up(): Promise<Cluster>;
  /** Removes everything `up` created; safe to call twice and after a crash. */
  down(): Promise<void>;
}
