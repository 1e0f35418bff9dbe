/**
 * Combines several nemeses into one: each op goes to the nemesis that handles its `f`; setup and
 * teardown reach all of them (teardown heals everything, continuing past individual failures).
 */
import type { Completion } from '../src/core/client.ts';
import type { NodeContext, RunContext } from '../src/core/context.ts';
import type { Nemesis, NemesisOp } from '../src/core/nemesis.ts';

export class CombinedNemesis implements Nemesis {
  readonly name: string;
  readonly fs: readonly string[];
  readonly #byF = new Map<string, Nemesis>();
  readonly #parts: readonly Nemesis[];

  constructor(parts: readonly Nemesis[]) {
    this.#parts = parts;
    this.name = parts.map((p) => p.name).join('+');
    for (const p of parts) {
      for (const f of p.fs) {
        if (this.#byF.has(f)) throw new Error(`nemeses ${this.#byF.get(f)?.name} and ${p.name} both handle ${f}`);
        this.#byF.set(f, p);
      }
    }
    this.fs = [...this.#byF.keys()];
  }

  async prepareNode(ctx: NodeContext): Promise<void> {
    for (const p of this.#parts) await p.prepareNode?.(ctx);
  }

  async releaseNode(ctx: NodeContext): Promise<void> {
    const errors: string[] = [];
    for (const p of this.#parts) await p.releaseNode?.(ctx).catch((e: unknown) => errors.push(`${p.name}: ${e instanceof Error ? e.message : String(e)}`));
    if (errors.length > 0) throw new Error(errors.join('; '));
  }

  async setup(run: RunContext): Promise<void> {
    for (const p of this.#parts) await p.setup?.(run);
  }

  invoke(run: RunContext, op: NemesisOp, opts: { signal: AbortSignal }): Promise<Completion> {
    const p = this.#byF.get(op.f);
    if (!p) return Promise.resolve({ type: 'fail', error: `no nemesis handles ${op.f} (handled: ${this.fs.join(', ')})` });
    return p.invoke(run, op, opts);
  }

  async teardown(run: RunContext): Promise<void> {
    const errors: string[] = [];
    for (const p of this.#parts) {
      try {
        await p.teardown?.(run);
      } catch (e) {
        errors.push(`${p.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (errors.length > 0) throw new Error(`heal failed: ${errors.join('; ')}`);
  }
}
