/**
 * The register workload: reads, writes and compare-and-sets on registers, every write a fresh
 * value, judged by the linearizability checker; the stale-reads checker measures how far behind
 * non-linearizable reads were. A compare-and-set expects one of the values written last, or with
 * `casFrom: 'read'` the value its client last read (read-modify-write, as applications update:
 * what a multi-leader store loses when two regions update the same value at once).
 *
 * Op shapes (Knossos), unkeyed | keyed with `keys > 0` (Jepsen independent tuples):
 *   read   invoke value null | [k, null]              ok value: v | [k, v]   (null before any write)
 *   write  invoke value v | [k, v]                    completion: same       (v unique: the op number)
 *   cas    invoke value [old, new] | [k, [old, new]]  ok: it swapped; fail: the value was not old
 */
import type { GenContext, GenResult, GenTest, Generator, OpTemplate, Rng } from '../../src/core/generator.ts';
import type { Op, ProcessId } from '../../src/core/op.ts';

export interface RegisterWorkloadOptions {
  /** Independent registers 0..keys-1; 0 (default) for one unkeyed register. */
  keys?: number;
  /** Fractions of reads and of compare-and-sets (defaults 0.5 and 0.1); the rest are writes. */
  readRatio?: number;
  casRatio?: number;
}

/**
 * The values the generator wrote last, per register, newest first. A compare-and-set expects one
 * of them, so that under a working store many succeed (the stats checker flags an op kind that
 * never succeeded). One per workload instance.
 */
export class RecentWrites {
  readonly #byKey = new Map<number | null, number[]>();

  note(key: number | null, value: number): void {
    const list = this.#byKey.get(key) ?? [];
    list.unshift(value);
    if (list.length > 3) list.length = 3;
    this.#byKey.set(key, list);
  }

  /** The newest value half the time, else an older one; undefined before any write. */
  pick(rng: Rng, key: number | null): number | undefined {
    const list = this.#byKey.get(key);
    if (!list || list.length === 0) return undefined;
    return rng.next() < 0.5 ? list[0] : list[rng.int(list.length)];
  }
}

/** What each client process last read from each register (fed every event through `observing`). */
export class LastReads {
  readonly #byProcess = new Map<ProcessId, Map<number | null, unknown>>();
  readonly #keyed: boolean;

  constructor(keyed: boolean) {
    this.#keyed = keyed;
  }

  note(op: Op): void {
    if (op.type !== 'ok' || op.f !== 'read') return;
    const [key, value] = this.#keyed ? (op.value as [number, unknown]) : [null, op.value];
    const reads = this.#byProcess.get(op.process) ?? new Map<number | null, unknown>();
    reads.set(key, value);
    this.#byProcess.set(op.process, reads);
  }

  /** The value `process` last read from `key`, or undefined when it never read it. */
  of(process: ProcessId, key: number | null): unknown {
    return this.#byProcess.get(process)?.get(key);
  }
}

/** `gen`, with every event also handed to `onEvent` (for generators that follow what clients saw). */
export function observing(gen: Generator, onEvent: (event: Op) => void): Generator {
  return {
    op(test: GenTest, ctx: GenContext): GenResult {
      const r = gen.op(test, ctx);
      return r === null ? null : { ...r, gen: observing(r.gen, onEvent) };
    },
    update(test: GenTest, ctx: GenContext, event: Op): Generator {
      onEvent(event);
      return observing(gen.update(test, ctx, event), onEvent);
    },
  };
}

/**
 * The n-th op; the value n is written at most once. A compare-and-set expects `lastRead(key)`
 * when it is defined, else one of the recent writes.
 */
export function registerOp(rng: Rng, n: number, opts: RegisterWorkloadOptions = {}, recent = new RecentWrites(), lastRead?: (key: number | null) => unknown): OpTemplate {
  const keys = opts.keys ?? 0;
  const key = keys > 0 ? rng.int(keys) : null;
  const withKey = (v: unknown): unknown => (key === null ? v : [key, v]);
  const x = rng.next();
  const readRatio = opts.readRatio ?? 0.5;
  if (x < readRatio) return { f: 'read', value: withKey(null) };
  if (x < readRatio + (opts.casRatio ?? 0.1)) {
    // Before any write to this register, expect one of the last few op numbers.
    const read = lastRead?.(key);
    const expected = read !== undefined ? read : (recent.pick(rng, key) ?? Math.max(0, n - 1 - rng.int(4)));
    recent.note(key, n);
    return { f: 'cas', value: withKey([expected, n]) };
  }
  recent.note(key, n);
  return { f: 'write', value: withKey(n) };
}
