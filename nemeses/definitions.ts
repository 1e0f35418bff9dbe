/**
 * Faultline's own fault kinds as nemesis definitions (partition, kill, pause, clock, packet, the
 * disk faults, rebalance, membership) and the options of a nemesis package as a whole: what
 * `--nemesis` names and `faultline list` shows. The package builder is nemeses/registry.ts.
 */
import { UsageError } from '../src/core/errors.ts';
import type { Rng } from '../src/core/generator.ts';
import type { NemesisDefinition } from '../src/core/parts.ts';
import { opt, type OptionSchema, type OptionValues } from '../src/options/schema.ts';
import { defineNemesis } from '../src/plugins/define.ts';
import { ClockNemesis, checkClockSupport } from './clock.ts';
import { DiskNemesis, checkDiskSupport, type DiskFaultValue, type DiskKind } from './disk.ts';
import { pick } from './draw.ts';
import { PacketNemesis, checkPacketValue, type PacketValue } from './packet.ts';
import { PARTITION_SHAPES, PartitionNemesis, REGION_SHAPES } from './partition.ts';
import { ProcessNemesis } from './process.ts';
import { MembershipNemesis } from './membership.ts';
import { RebalanceNemesis } from './rebalance.ts';
import { TARGET_KINDS } from './targets.ts';

const DEFAULT_PACKETS: readonly Omit<PacketValue, 'links' | 'targets'>[] = [
  { loss: 0.2 },
  { duplicate: 0.2 },
  { delayMs: 50, jitterMs: 25 },
  { rateKbit: 1000 },
];

const partition = defineNemesis({
  name: 'partition',
  description: `network partitions from grudges (shapes: ${PARTITION_SHAPES.join(', ')}; ${REGION_SHAPES.join(' and ')} with --topology), applied atomically, healed exactly`,
  color: '#E9DCA0',
  capabilities: ['local'],
  options: {
    shapes: opt.list({ doc: 'partition shapes to draw from (default: every shape the DB and the topology support)', values: PARTITION_SHAPES, aliases: ['nemesis.partition-shapes'] }),
    regions: opt.list({ doc: 'regions the region shape cuts off, one drawn per fault (default: every region of the topology)' }),
  },
  create({ options, db, rng, test }) {
    const topology = test.topology;
    const multiRegion = topology !== undefined && topology.regions.length >= 2;
    const shapes = options.shapes ?? PARTITION_SHAPES.filter((s) => (s !== 'primaries' || db?.primaries) && (multiRegion || !REGION_SHAPES.includes(s)));
    if (shapes.includes('primaries') && !db?.primaries) throw new UsageError('nemesis partition: shape primaries needs a db that reports its primaries');
    const regionShape = shapes.find((s) => REGION_SHAPES.includes(s));
    if (regionShape && !multiRegion) throw new UsageError(`nemesis partition: shape ${regionShape} needs --topology with two regions or more${topology ? ` (${topology.name} has one)` : ''}`);
    if (options.regions && !multiRegion) throw new UsageError('--opt partition.regions needs --topology with two regions or more');
    for (const r of options.regions ?? []) {
      if (!topology!.regions.some((x) => x.name === r)) throw new UsageError(`--opt partition.regions: topology ${topology!.name} has no region ${JSON.stringify(r)} (regions: ${topology!.regions.map((x) => x.name).join(', ')})`);
    }
    const ctx = { nodes: test.nodes, db, rng, ...(topology ? { topology } : {}), ...(options.regions ? { regions: options.regions } : {}) };
    return { nemesis: new PartitionNemesis(ctx), start: (r) => ({ f: 'start-partition', value: { shape: pick(shapes, r) } }) };
  },
});

const kill = defineNemesis({
  name: 'kill',
  description: 'SIGKILL the DB on target nodes, then restart it (db.kill / db.start)',
  color: '#E9A4A0',
  create({ db, rng, targets, test }) {
    return { nemesis: new ProcessNemesis('kill', { nodes: test.nodes, db, rng }), start: (r) => ({ f: 'start-kill', value: { targets: pick(targets, r) } }) };
  },
});

const pause = defineNemesis({
  name: 'pause',
  description: 'freeze target nodes (db.pause, else cgroup freezer, else SIGSTOP), then resume them',
  color: '#A0B1E9',
  create({ db, rng, targets, test }) {
    return { nemesis: new ProcessNemesis('pause', { nodes: test.nodes, db, rng }), start: (r) => ({ f: 'start-pause', value: { targets: pick(targets, r) } }) };
  },
});

const clock = defineNemesis({
  name: 'clock',
  description: "bump or strobe target nodes' wall clocks (libfaketime offset files; never the machine clock), then reset",
  color: '#A0E9E3',
  capabilities: ['clock'],
  options: {
    'max-delta-ms': opt.integer({ doc: 'largest clock jump in ms; sizes are powers of two', default: 262_144, min: 16, aliases: ['nemesis.clock-max-delta-ms'] }),
    'min-delta-ms': opt.integer({ doc: 'smallest clock jump in ms', default: 16, min: 16, aliases: ['nemesis.clock-min-delta-ms'] }),
    direction: opt.enum(['back', 'forward', 'both'], { doc: 'which way clock jumps go', default: 'both', aliases: ['nemesis.clock-direction'] }),
  },
  create({ options, db, rng, targets, test }) {
    checkClockSupport(db);
    const min = options['min-delta-ms'];
    const max = options['max-delta-ms'];
    if (min > max) throw new UsageError(`nemesis clock: the smallest jump (${min} ms) exceeds the largest (${max} ms)`);
    // Jump sizes are powers of two between the smallest and the largest, each equally likely.
    const minExp = Math.max(4, Math.ceil(Math.log2(min)));
    const maxExp = Math.max(minExp, Math.floor(Math.log2(max)));
    return {
      nemesis: new ClockNemesis({ nodes: test.nodes, db, rng }),
      start: (r) => {
        const sign = options.direction === 'back' ? -1 : options.direction === 'forward' ? 1 : r.next() < 0.5 ? -1 : 1;
        const deltaMs = sign * 2 ** (minExp + r.int(maxExp - minExp + 1));
        const strobe = r.next() < 0.2;
        const on = pick(targets, r);
        return {
          f: 'start-clock',
          value: strobe ? { mode: 'strobe', targets: on, deltaMs, periodMs: 1500, durationMs: 6000 } : { mode: 'bump', targets: on, deltaMs },
        };
      },
    };
  },
});

const packet = defineNemesis({
  name: 'packet',
  description: 'packet loss, duplication, rate limit or delay with jitter on links of target nodes (never the controller); a fixed behaviour with the packet.* options',
  color: '#D1E8A0',
  capabilities: ['local', 'delay'],
  options: {
    loss: opt.number({ doc: 'drop this fraction of packets (fixes the behaviour)', min: 0, max: 1 }),
    duplicate: opt.number({ doc: 'send this fraction of packets twice (fixes the behaviour)', min: 0, max: 1 }),
    'delay-ms': opt.number({ doc: 'added one-way delay in ms (fixes the behaviour)', min: 0 }),
    'jitter-ms': opt.number({ doc: 'uniform jitter on top of the delay, ms', min: 0 }),
    'rate-kbit': opt.number({ doc: 'rate limit per link, kbit/s (fixes the behaviour)', min: 1 }),
  },
  create({ options, rng, targets, test, db }) {
    const fixed: Omit<PacketValue, 'links' | 'targets'> = {
      ...(options.loss !== undefined ? { loss: options.loss } : {}),
      ...(options.duplicate !== undefined ? { duplicate: options.duplicate } : {}),
      ...(options['delay-ms'] !== undefined ? { delayMs: options['delay-ms'] } : {}),
      ...(options['jitter-ms'] !== undefined ? { jitterMs: options['jitter-ms'] } : {}),
      ...(options['rate-kbit'] !== undefined ? { rateKbit: options['rate-kbit'] } : {}),
    };
    if (options['jitter-ms'] !== undefined && options['delay-ms'] === undefined) throw new UsageError('--opt packet.jitter-ms needs packet.delay-ms');
    checkPacketValue(fixed);
    const behaviours = Object.keys(fixed).length > 0 ? [fixed] : DEFAULT_PACKETS;
    return { nemesis: new PacketNemesis({ nodes: test.nodes, db, rng }), start: (r) => ({ f: 'start-packet', value: { ...pick(behaviours, r), targets: pick(targets, r) } }) };
  },
});

const rebalance = defineNemesis({
  name: 'rebalance',
  description: 'move a shard to another group or split one while clients run (DBs that can rebalance, e.g. reference:sharded)',
  color: '#C0A0E9',
  options: { 'split-ratio': opt.number({ doc: 'fraction of rebalances that split a shard instead of moving one', default: 0.3, min: 0, max: 1 }) },
  create({ options, db, rng, test }) {
    const ratio = options['split-ratio'];
    return { nemesis: new RebalanceNemesis({ nodes: test.nodes, db, rng }), start: (r) => ({ f: 'start-rebalance', value: { split: r.next() < ratio } }) };
  },
});

const membership = defineNemesis({
  name: 'membership',
  description: 'remove a voting member (never the leader), then add it back: Raft membership change one node at a time (DBs that can: reference:raft, etcd)',
  color: '#A0E9B8',
  create({ db, rng, test }) {
    return { nemesis: new MembershipNemesis({ nodes: test.nodes, db, rng }), start: () => ({ f: 'start-membership', value: null }) };
  },
});

const DISK_OPS = ['read', 'write', 'fsync'] as const;

function diskNemesis<const S extends OptionSchema>(kind: DiskKind, description: string, color: string, options: S, fault: (o: OptionValues<S>) => (r: Rng) => Omit<DiskFaultValue, 'targets'>): NemesisDefinition<S> {
  return defineNemesis<S>({
    name: kind,
    description,
    color,
    capabilities: ['disk'],
    options,
    create({ options: o, db, rng, targets, test }) {
      checkDiskSupport(kind, db);
      const draw = fault(o);
      return { nemesis: new DiskNemesis(kind, { nodes: test.nodes, db, rng }), start: (r) => ({ f: `start-${kind}`, value: { ...draw(r), targets: pick(targets, r) } }) };
    },
  });
}

const powerLoss = diskNemesis(
  'power-loss',
  'SIGKILL the DB on target nodes and drop every write they did not fsync (a fault filesystem under each node), then restart it; targets all: a whole-cluster power failure',
  '#B0A0E9',
  { torn: opt.enum(['never', 'sometimes', 'always'], { doc: 'whether the last write to a file survives only in part (a page-aligned prefix)', default: 'sometimes' }) },
  (o) => (r) => ({ torn: o.torn === 'always' || (o.torn === 'sometimes' && r.next() < 0.5) }),
);

const diskErrors = diskNemesis(
  'disk-errors',
  'EIO on a fraction of reads, writes or fsyncs of target nodes (optionally only on a path), then heal',
  '#E9B0A0',
  {
    ops: opt.list({ doc: 'which operations fail', values: DISK_OPS, default: ['read', 'fsync'] }),
    rate: opt.number({ doc: 'fraction of those operations that fail', default: 0.1, min: 0, max: 1 }),
    path: opt.string({ doc: 'only files matching this glob (relative to the node directory; * crosses /)', shape: 'a glob' }),
  },
  (o) => () => ({ fault: { kind: 'eio', ops: o.ops, rate: o.rate, ...(o.path ? { path: o.path } : {}) } }),
);

const slowDisk = diskNemesis(
  'slow-disk',
  'latency before writes and fsyncs of target nodes (a distribution), the slow disk that turns into elections, then heal',
  '#A0C8E9',
  {
    ops: opt.list({ doc: 'which operations are slowed', values: DISK_OPS, default: ['write', 'fsync'] }),
    dist: opt.enum(['fixed', 'uniform', 'exp'], { doc: 'latency distribution: fixed ms, uniform in [0, 2 x ms], exponential with mean ms', default: 'exp' }),
    ms: opt.number({ doc: 'the latency in ms (mean for exp)', default: 100, min: 0 }),
  },
  (o) => () => ({
    fault: {
      kind: 'slow',
      ops: o.ops,
      latency: o.dist === 'fixed' ? { dist: 'fixed', ms: o.ms } : o.dist === 'uniform' ? { dist: 'uniform', minMs: 0, maxMs: 2 * o.ms } : { dist: 'exp', meanMs: o.ms },
    },
  }),
);

const fullDisk = diskNemesis(
  'full-disk',
  'writes on target nodes fail with ENOSPC after N more bytes, then space comes back',
  '#C8C8C8',
  { bytes: opt.integer({ doc: 'bytes that still fit before the disk is full', default: 0, min: 0 }) },
  (o) => () => ({ fault: { kind: 'enospc', bytes: o.bytes } }),
);

const bitflip = diskNemesis(
  'bitflip',
  'reads on target nodes return data with one bit flipped, at a rate (the disk keeps the right data), then heal',
  '#E9E0A0',
  {
    rate: opt.number({ doc: 'fraction of reads corrupted', default: 0.01, min: 0, max: 1 }),
    path: opt.string({ doc: 'only files matching this glob', shape: 'a glob' }),
  },
  (o) => () => ({ fault: { kind: 'flip', rate: o.rate, ...(o.path ? { path: o.path } : {}) } }),
);

export const BUILTIN_NEMESES: readonly NemesisDefinition[] = [partition, kill, pause, clock, packet, powerLoss, diskErrors, slowDisk, fullDisk, bitflip, rebalance, membership];

/** The options of the nemesis package as a whole: `--opt nemesis.<name>`. */
export const NEMESIS_PACKAGE_OPTIONS = {
  targets: opt.string({ doc: `nodes hit by kill, pause, clock and packet: ${TARGET_KINDS.join(', ')}, or a list like n1,n3 (default: a random kind each time)` }),
  spacing: opt.enum(['random', 'fixed'], {
    doc: 'gaps between fault ops: random, uniform in [0, 2 x interval] as Jepsen staggers them, or fixed, exactly the interval, so every fault lasts one interval',
    default: 'random',
  }),
} as const;
