/**
 * The clock nemesis: per-node wall-clock faults through the cluster's ClockControl (libfaketime
 * offset files locally). `start-clock` bumps the target nodes' clocks by `deltaMs`, or starts
 * strobing them in the background (alternating between +deltaMs and the old offset every
 * `periodMs`, for `durationMs` or until stopped), so the op returns at once and never outlasts the
 * op timeout; `stop-clock` ends any strobe and resets every node to real time. The machine clock is never stepped. Refused up
 * front for DBs whose processes ignore a faked clock (Go binaries such as etcd).
 */
import type { Completion } from '../src/core/client.ts';
import { REAL_TIMERS, type RunContext, type RunTimers } from '../src/core/context.ts';
import type { DB } from '../src/core/db.ts';
import type { Nemesis, NemesisOp } from '../src/core/nemesis.ts';
import type { ClockControl } from '../src/core/provider.ts';
import { UsageError } from '../src/core/errors.ts';
import { FaultNotApplied, attempt, primariesOf, type NemesisContext } from './context.ts';
import { resolveTargets, type TargetSpec } from './targets.ts';

export interface ClockValue {
  mode?: 'bump' | 'strobe';
  targets?: TargetSpec;
  nodes?: readonly string[];
  deltaMs: number;
  periodMs?: number;
  durationMs?: number;
}

/** Refuses the clock nemesis unless the DB declares that its processes honour a faked clock. */
export function checkClockSupport(db: DB | null): void {
  if (db === null) throw new UsageError('nemesis clock: there is no DB process whose clock could be faked; remove clock from --nemesis');
  if (db.honoursFakeClock !== true) {
    throw new UsageError(
      db.honoursFakeClock === false
        ? `nemesis clock: db ${db.name} ignores a faked wall clock (Go programs read time through the vDSO, so libfaketime has no effect); remove clock from --nemesis`
        : `nemesis clock: db ${db.name} does not declare honoursFakeClock, so a clock fault might do nothing; refused (set honoursFakeClock in the adapter)`,
    );
  }
}

/** A strobe running in the background: its next flip and the flip in progress. */
interface Strobe {
  timers: RunTimers;
  timer?: unknown;
  last: Promise<unknown>;
}

export class ClockNemesis implements Nemesis {
  readonly name = 'clock';
  readonly fs = ['start-clock', 'stop-clock'] as const;
  readonly #ctx: NemesisContext;
  #touched = false;
  #strobe: Strobe | undefined;

  /** Built by the clock definition, which has checked that the DB honours a faked clock. */
  constructor(ctx: NemesisContext) {
    this.#ctx = ctx;
  }

  #clock(run: RunContext): ClockControl {
    const c = run.cluster.clock;
    if (!c) throw new FaultNotApplied('this cluster has no per-node clock control (libfaketime not in use)');
    return c;
  }

  async invoke(run: RunContext, op: NemesisOp, _opts: { signal: AbortSignal }): Promise<Completion> {
    if (op.f === 'stop-clock') return attempt(() => this.#reset(run));
    const v = op.value as ClockValue;
    return attempt(async () => {
      if (!v || !Number.isFinite(v.deltaMs)) throw new FaultNotApplied('start-clock needs a numeric deltaMs');
      const clock = this.#clock(run);
      const nodes = v.nodes
        ? [...v.nodes]
        : resolveTargets(v.targets ?? 'one', this.#ctx.nodes, this.#ctx.rng, v.targets === 'primaries' ? await primariesOf(this.#ctx, run) : undefined);
      if (nodes.length === 0) throw new FaultNotApplied('no target nodes');
      this.#touched = true;
      const base = new Map(nodes.map((n) => [n, clock.offset(n)]));
      const bump = (on: boolean) => Promise.all(nodes.map((n) => clock.setOffset(n, (base.get(n) ?? 0) + (on ? v.deltaMs : 0))));
      if ((v.mode ?? 'bump') === 'bump') {
        await bump(true);
        return { mode: 'bump', nodes, deltaMs: v.deltaMs, offsets: Object.fromEntries(nodes.map((n) => [n, clock.offset(n)])) };
      }
      const periodMs = Math.max(1, v.periodMs ?? 1000);
      const durationMs = v.durationMs ?? Number.POSITIVE_INFINITY;
      await this.#stopStrobe();
      this.#startStrobe(run.timers ?? REAL_TIMERS, () => bump(false), (on) => bump(on), periodMs, durationMs);
      return { mode: 'strobe', nodes, deltaMs: v.deltaMs, periodMs, ...(v.durationMs !== undefined ? { durationMs } : {}) };
    });
  }

  /** Flips the offsets every period in the background (on the run's clock); after the duration stops and restores. */
  #startStrobe(timers: RunTimers, restore: () => Promise<unknown>, flip: (on: boolean) => Promise<unknown>, periodMs: number, durationMs: number): void {
    const end = timers.now() + durationMs;
    let on = false;
    const strobe: Strobe = { timers, last: Promise.resolve() };
    const tick = () => {
      if (timers.now() >= end) {
        if (this.#strobe === strobe) void this.#stopStrobe().then(restore).catch(() => {});
        return;
      }
      on = !on;
      strobe.last = strobe.last.then(() => flip(on)).catch(() => {});
      strobe.timer = timers.after(periodMs, tick);
    };
    this.#strobe = strobe;
    tick();
  }

  /** Stops the strobe and waits for a flip in progress, so nothing writes an offset afterwards. */
  async #stopStrobe(): Promise<void> {
    const s = this.#strobe;
    if (!s) return;
    this.#strobe = undefined;
    s.timers.cancel(s.timer);
    await s.last;
  }

  async #reset(run: RunContext): Promise<{ nodes: string[] }> {
    await this.#stopStrobe();
    const clock = this.#clock(run);
    await Promise.all(this.#ctx.nodes.map((n) => clock.setOffset(n, 0)));
    this.#touched = false;
    return { nodes: [...this.#ctx.nodes] };
  }

  async teardown(run: RunContext): Promise<void> {
    if (this.#touched) await this.#reset(run);
  }
}
