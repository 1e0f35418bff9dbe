/**
 * Process faults through the DB protocol. kill: `start-kill` SIGKILLs the DB on the target nodes
 * (db.kill), `stop-kill` starts them again (db.start). pause: `start-pause` freezes them (db.pause,
 * or else the provider's cgroup freezer with its SIGSTOP fallback), `stop-pause` resumes them.
 * Targets: one, minority, majority, primaries, all, or node names.
 */
import type { Completion } from '../src/core/client.ts';
import { nodeContext, type NodeContext, type RunContext } from '../src/core/context.ts';
import type { Nemesis, NemesisOp } from '../src/core/nemesis.ts';
import { UsageError } from '../src/core/errors.ts';
import { FaultNotApplied, attempt, onEach, primariesOf, type NemesisContext } from './context.ts';
import { resolveTargets, type TargetSpec } from './targets.ts';

export interface ProcessFaultValue {
  targets?: TargetSpec;
  /** Concrete nodes (as recorded in a schedule); wins over `targets`. */
  nodes?: readonly string[];
}

type Kind = 'kill' | 'pause';

/** Refuses up front when the DB cannot do what the kind needs. */
export function checkProcessFaultSupport(kind: Kind, ctx: Pick<NemesisContext, 'db'>): void {
  const db = ctx.db;
  if (kind === 'kill' && !(db?.kill && db.start)) {
    throw new UsageError(`nemesis kill: db ${db?.name ?? '(none)'} cannot kill and restart its nodes (no kill/start)`);
  }
}

export class ProcessNemesis implements Nemesis {
  readonly name: Kind;
  readonly fs: readonly string[];
  readonly #ctx: NemesisContext;
  /** Nodes currently killed or paused by this nemesis. */
  readonly #affected = new Set<string>();

  constructor(kind: Kind, ctx: NemesisContext) {
    checkProcessFaultSupport(kind, ctx);
    this.name = kind;
    this.fs = [`start-${kind}`, `stop-${kind}`];
    this.#ctx = ctx;
  }

  #node(run: RunContext, name: string): NodeContext {
    if (!run.cluster.nodes.some((x) => x.name === name)) throw new FaultNotApplied(`node ${JSON.stringify(name)} does not exist`);
    return nodeContext(run, name);
  }

  async #targets(run: RunContext, v: ProcessFaultValue): Promise<string[]> {
    if (v.nodes) return [...v.nodes];
    const spec = v.targets ?? 'one';
    const prim = spec === 'primaries' ? await primariesOf(this.#ctx, run) : undefined;
    const nodes = resolveTargets(spec, this.#ctx.nodes, this.#ctx.rng, prim);
    if (nodes.length === 0) throw new FaultNotApplied(spec === 'primaries' ? 'no primaries right now' : 'no target nodes');
    return nodes;
  }

  async #apply(run: RunContext, node: string): Promise<void> {
    const db = this.#ctx.db;
    if (this.name === 'kill') return db!.kill!(this.#node(run, node));
    if (db?.pause) return db.pause(this.#node(run, node));
    const ctl = run.cluster.nodeControl;
    if (!ctl) throw new FaultNotApplied(`pause: db ${db?.name ?? '(none)'} has no pause and the cluster no freezer`);
    return ctl.freeze(node);
  }

  async #undo(run: RunContext, node: string): Promise<void> {
    const db = this.#ctx.db;
    if (this.name === 'kill') return db!.start!(this.#node(run, node));
    if (db?.resume) return db.resume(this.#node(run, node));
    const ctl = run.cluster.nodeControl;
    if (!ctl) throw new FaultNotApplied('resume: no mechanism');
    return ctl.thaw(node);
  }

  async invoke(run: RunContext, op: NemesisOp, _opts: { signal: AbortSignal }): Promise<Completion> {
    if (op.f === `start-${this.name}`) {
      return attempt(async () => {
        const nodes = await this.#targets(run, (op.value ?? {}) as ProcessFaultValue);
        for (const n of nodes) this.#affected.add(n);
        await onEach(nodes, (n) => this.#apply(run, n));
        return { nodes };
      });
    }
    return attempt(() => this.#restoreAll(run));
  }

  async #restoreAll(run: RunContext): Promise<{ nodes: string[] }> {
    const nodes = [...this.#affected].sort();
    await onEach(nodes, async (n) => {
      await this.#undo(run, n);
      this.#affected.delete(n);
    });
    return { nodes };
  }

  async teardown(run: RunContext): Promise<void> {
    if (this.#affected.size > 0) await this.#restoreAll(run);
  }
}
