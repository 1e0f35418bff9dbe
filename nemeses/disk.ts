/**
 * Disk faults through the fault filesystem (src/disk): before the DB is set up, every node's
 * directory (ctx.dir, where the adapters keep their data) is mounted over by a fault filesystem
 * that keeps what was fsynced; the faults act on it.
 *
 *   power-loss  start: SIGKILL the DB on the targets and drop every write not fsynced (`torn`: the
 *               last write to a file keeps a page-aligned prefix); stop: start the DB again. With
 *               targets `all`, a whole-cluster power failure.
 *   disk-errors start: EIO on a fraction of reads / writes / fsyncs (optionally on a path); stop: heal
 *   slow-disk   start: latency before writes and fsyncs (fixed, uniform or exponential); stop: heal
 *   full-disk   start: ENOSPC after N more bytes; stop: space back
 *   bitflip     start: reads return one bit flipped at a rate; stop: heal
 *
 * Several kinds may be active on a node at once: the fault filesystem holds one fault of each
 * kind, and stopping one kind re-applies the others. Mounts are shared by every disk kind of a
 * run, and always unmounted at teardown (the data stays in place).
 */
import type { Completion } from '../src/core/client.ts';
import { nodeContext, type NodeContext, type RunContext } from '../src/core/context.ts';
import type { DB } from '../src/core/db.ts';
import { UsageError } from '../src/core/errors.ts';
import type { Nemesis, NemesisOp } from '../src/core/nemesis.ts';
import type { Cluster } from '../src/core/provider.ts';
import type { DiskFault } from '../src/disk/commands.ts';
import type { FaultFs } from '../src/disk/faultfs.ts';
import { FaultNotApplied, attempt, onEach, primariesOf, type NemesisContext } from './context.ts';
import { resolveTargets, type TargetSpec } from './targets.ts';

export type DiskKind = 'power-loss' | 'disk-errors' | 'slow-disk' | 'full-disk' | 'bitflip';

/** Every fault filesystem of one run, by node, with the fault each disk kind holds there. */
class RunDisks {
  readonly #mounts = new Map<string, Promise<FaultFs>>();
  readonly #users = new Map<string, number>();
  readonly #active = new Map<string, Map<DiskKind, DiskFault>>();

  /** Mounts the node's directory once, whichever disk kind asks first. */
  async mount(ctx: NodeContext): Promise<void> {
    const node = ctx.node.name;
    this.#users.set(node, (this.#users.get(node) ?? 0) + 1);
    if (this.#mounts.has(node)) {
      await this.#mounts.get(node);
      return;
    }
    const where = ctx.cluster.diskHost?.(node);
    if (!where) throw new UsageError(`disk faults: this provider cannot put a fault filesystem under ${node}'s directory`);
    // The fault filesystem's driver is loaded by the first mount: defining disk faults needs none of it.
    const mounted = import('../src/disk/faultfs.ts').then((f) => f.mountFaultFs(where.host, { dir: ctx.dir, tag: where.tag, logFile: `${ctx.runDir}/faultfs-${node}.log` }));
    this.#mounts.set(node, mounted);
    mounted.catch(() => this.#mounts.delete(node));
    await mounted;
  }

  /** Unmounts once the last disk kind lets go of the node. */
  async release(node: string): Promise<void> {
    const left = (this.#users.get(node) ?? 1) - 1;
    this.#users.set(node, left);
    if (left > 0) return;
    const mounted = this.#mounts.get(node);
    this.#mounts.delete(node);
    this.#active.delete(node);
    if (mounted) await (await mounted).unmount();
  }

  async #fs(node: string): Promise<FaultFs> {
    const m = this.#mounts.get(node);
    if (!m) throw new FaultNotApplied(`${node} has no fault filesystem`);
    return m;
  }

  /** Sets (or clears, with null) the fault a kind holds on a node; the other kinds' faults stay. */
  async set(node: string, kind: DiskKind, fault: DiskFault | null): Promise<void> {
    const fs = await this.#fs(node);
    const active = this.#active.get(node) ?? new Map<DiskKind, DiskFault>();
    this.#active.set(node, active);
    if (fault) {
      active.set(kind, fault);
      await fs.apply(fault);
      return;
    }
    if (!active.delete(kind)) return;
    await fs.heal();
    for (const f of active.values()) await fs.apply(f);
  }

  /** Drops every write not fsynced on the node (the DB must be down). */
  async powerLoss(node: string, torn: boolean, seed: number): Promise<Record<string, unknown>> {
    const report = await (await this.#fs(node)).apply({ kind: 'power-loss', torn, seed });
    return { droppedBytes: report?.droppedBytes ?? 0, tornWrites: report?.tornCount ?? 0 };
  }
}

const RUNS = new WeakMap<Cluster, RunDisks>();

function disksOf(cluster: Cluster): RunDisks {
  let d = RUNS.get(cluster);
  if (!d) RUNS.set(cluster, (d = new RunDisks()));
  return d;
}

export interface DiskFaultValue {
  targets?: TargetSpec;
  /** Concrete nodes (as recorded in a schedule); wins over `targets`. */
  nodes?: readonly string[];
  /** The fault to apply (not for power-loss). */
  fault?: DiskFault;
  /** power-loss: keep a page-aligned prefix of the last write to each file. */
  torn?: boolean;
  /** Seed of the fault filesystem's random choices. */
  seed?: number;
}

/** Refuses what cannot work before anything is set up. */
export function checkDiskSupport(kind: DiskKind, db: DB | null): void {
  if (db === null) throw new UsageError(`nemesis ${kind}: the stores live in the controller; there is no disk to fault`);
  if (kind === 'power-loss' && !(db.kill && db.start)) throw new UsageError(`nemesis power-loss: db ${db.name} cannot kill and restart its nodes (no kill/start)`);
}

export class DiskNemesis implements Nemesis {
  readonly name: DiskKind;
  readonly fs: readonly string[];
  readonly #ctx: NemesisContext;
  /** Nodes this kind has a fault on (power-loss: nodes down). */
  readonly #affected = new Set<string>();

  constructor(kind: DiskKind, ctx: NemesisContext) {
    this.name = kind;
    this.fs = [`start-${kind}`, `stop-${kind}`];
    this.#ctx = ctx;
  }

  prepareNode(ctx: NodeContext): Promise<void> {
    return disksOf(ctx.cluster).mount(ctx);
  }

  releaseNode(ctx: NodeContext): Promise<void> {
    return disksOf(ctx.cluster).release(ctx.node.name);
  }

  async #targets(run: RunContext, v: DiskFaultValue): Promise<string[]> {
    if (v.nodes) return [...v.nodes];
    const spec = v.targets ?? 'one';
    const prim = spec === 'primaries' ? await primariesOf(this.#ctx, run) : undefined;
    const nodes = resolveTargets(spec, this.#ctx.nodes, this.#ctx.rng, prim);
    if (nodes.length === 0) throw new FaultNotApplied(spec === 'primaries' ? 'no primaries right now' : 'no target nodes');
    return nodes;
  }

  async invoke(run: RunContext, op: NemesisOp, _opts: { signal: AbortSignal }): Promise<Completion> {
    if (op.f === `stop-${this.name}`) return attempt(() => this.#restoreAll(run));
    const v = (op.value ?? {}) as DiskFaultValue;
    return attempt(async () => {
      const nodes = await this.#targets(run, v);
      const disks = disksOf(run.cluster);
      const seed = v.seed ?? this.#ctx.rng.int(2 ** 31);
      if (this.name === 'power-loss') {
        const db = this.#ctx.db!;
        const lost: Record<string, unknown> = {};
        await onEach(nodes, async (n) => {
          this.#affected.add(n);
          await db.kill!(nodeContext(run, n));
          lost[n] = await disks.powerLoss(n, v.torn === true, seed);
        });
        return { nodes, torn: v.torn === true, seed, lost };
      }
      if (!v.fault) throw new FaultNotApplied(`start-${this.name} needs a fault`);
      const fault = { ...v.fault, ...('seed' in v.fault || v.fault.kind === 'enospc' ? {} : { seed }) } as DiskFault;
      await onEach(nodes, async (n) => {
        this.#affected.add(n);
        await disks.set(n, this.name, fault);
      });
      return { nodes, fault };
    });
  }

  async #restoreAll(run: RunContext): Promise<{ nodes: string[] }> {
    const nodes = [...this.#affected].sort();
    const disks = disksOf(run.cluster);
    await onEach(nodes, async (n) => {
      if (this.name === 'power-loss') await this.#ctx.db!.start!(nodeContext(run, n));
      else await disks.set(n, this.name, null);
      this.#affected.delete(n);
    });
    return { nodes };
  }

  async teardown(run: RunContext): Promise<void> {
    if (this.#affected.size > 0) await this.#restoreAll(run);
  }
}
