/**
 * A nemesis whose calls run one at a time. The interpreter gives up on a nemesis op at its
 * timeout (recorded `info`), but the call itself goes on: a kill on a slow provider may still be
 * killing nodes when the next op, the stop, restarts them, and the cluster is left dead. Through
 * this wrapper every call waits until the calls before it have settled, so a fault and its heal
 * never interleave, and the run's teardown heals only after the last call has ended.
 */
import type { Completion } from '../core/client.ts';
import type { RunContext } from '../core/context.ts';
import type { Nemesis, NemesisOp } from '../core/nemesis.ts';

export class SerialNemesis implements Nemesis {
  readonly name: string;
  readonly fs: readonly string[];
  readonly #inner: Nemesis;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(inner: Nemesis) {
    this.name = inner.name;
    this.fs = inner.fs;
    this.#inner = inner;
  }

  /** Calls the nemesis once every earlier call has settled (resolved or rejected). */
  invoke(ctx: RunContext, op: NemesisOp, opts: { signal: AbortSignal }): Promise<Completion> {
    const call = this.#tail.then(() => this.#inner.invoke(ctx, op, opts));
    this.#tail = call.catch(() => undefined);
    return call;
  }

  /** Resolves true once every call so far has settled, or false after `maxMs`. */
  async settled(maxMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), maxMs)));
    try {
      return await Promise.race([this.#tail.then(() => true as const), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
