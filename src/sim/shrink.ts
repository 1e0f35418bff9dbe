/**
 * Shrinking a failing seed to a minimal failing case. The seed's run becomes a script (its client
 * ops and faults with their times, script.ts); the script is played again with the same seed (so
 * the network, disks and nodes draw as before wherever the run has not changed) and cut down
 * while it still fails the same way (a failing checker in common with the original):
 *
 *   1. the main phase is cut short: the shortest prefix that still fails, then everything moved
 *      as early as it can go (bisections on time);
 *   2. faults are removed, a start with its stop as one unit (delta debugging, ddmin);
 *   3. client ops are removed (ddmin);
 *   4. 2 and 3 again, then the prefix again, until nothing more goes or the budget is spent.
 *
 * Own delta debugging rather than fast-check's shrinker: the failing input does not come from an
 * arbitrary but from a seed's run, each test of a candidate is a whole simulated run and check
 * (milliseconds to a second), so the shrinker must bound its runs and wall-clock time itself, and
 * the reductions that matter are specific to schedules (a fault's start and stop go together; a
 * shorter run drops everything after a point). ddmin gives a 1-minimal result when it completes:
 * removing any single fault or op left makes the case pass.
 */
import type { Logger } from '../core/context.ts';
import { scheduleKinds, type ScheduleEntry } from '../../nemeses/index.ts';
import type { SimPlan } from './plan.ts';
import { scriptFromHistory, type ScriptedOp, type SimScript } from './script.ts';
import { runSeed, type SeedOutcome } from './seed-run.ts';

export interface ShrinkOptions {
  /** Wall-clock seconds the shrinker may spend. */
  timeBudgetS: number;
  log: Logger;
}

export interface ShrinkResult {
  /** The smallest failing case found (a scripted run). */
  outcome: SeedOutcome;
  /** Simulated runs tried. */
  runs: number;
  /** Whether every step ran to its end (a 1-minimal case) rather than stopping at the budget. */
  complete: boolean;
}

/** A fault's start with the stop that follows it (or a lone op): removed together. */
type FaultUnit = ScheduleEntry[];

function faultUnits(faults: readonly ScheduleEntry[]): FaultUnit[] {
  const units: FaultUnit[] = [];
  const open = new Map<string, FaultUnit>();
  for (const e of faults) {
    const [, verb, kind] = /^(start|stop)-(.+)$/.exec(e.f) ?? [];
    if (verb === 'stop' && kind && open.has(kind)) {
      open.get(kind)!.push(e);
      open.delete(kind);
      continue;
    }
    const unit = [e];
    units.push(unit);
    if (verb === 'start' && kind) open.set(kind, unit);
  }
  return units;
}

class OutOfBudget extends Error {}

/** Zeller's ddmin: a smallest sublist (1-minimal) for which `fails` holds, given that it holds for `items`. */
export async function ddmin<T>(items: readonly T[], fails: (subset: readonly T[]) => Promise<boolean>): Promise<T[]> {
  let current = [...items];
  let n = 2;
  while (current.length >= 2) {
    const size = Math.ceil(current.length / n);
    const chunks: T[][] = [];
    for (let i = 0; i < current.length; i += size) chunks.push(current.slice(i, i + size));
    let reduced = false;
    for (let i = 0; i < chunks.length && !reduced; i++) {
      const rest = chunks.filter((_, j) => j !== i).flat();
      if (await fails(rest)) {
        current = rest;
        n = Math.max(n - 1, 2);
        reduced = true;
      }
    }
    for (let i = 0; i < chunks.length && !reduced && chunks.length > 2; i++) {
      if (await fails(chunks[i]!)) {
        current = chunks[i]!;
        n = 2;
        reduced = true;
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(current.length, 2 * n);
    }
  }
  if (current.length === 1 && (await fails([]))) return [];
  return current;
}

export async function shrinkCase(plan: SimPlan, failure: SeedOutcome, o: ShrinkOptions): Promise<ShrinkResult> {
  const deadline = performance.now() + o.timeBudgetS * 1000;
  const target = new Set(failure.failedCheckers);
  let runs = 0;
  let best: SeedOutcome | undefined;

  /** Plays a script; it is the new best when it still fails as the original did. */
  const tryScript = async (script: SimScript): Promise<boolean> => {
    if (performance.now() > deadline) throw new OutOfBudget();
    runs++;
    const environment = { ...failure.environment, nemeses: scheduleKinds({ version: 1, entries: script.faults }) };
    const outcome = await runSeed(plan, { seed: failure.seed, environment, script });
    const fails = outcome.failed && outcome.failedCheckers.some((c) => target.has(c));
    if (fails) best = outcome;
    return fails;
  };
  const current = (): SimScript => best!.script!;

  const first = scriptFromHistory(failure.history, plan.spec.concurrency, plan.spec.timeLimitS);
  let complete = true;
  try {
    if (!(await tryScript(first))) {
      o.log.warn(`seed ${failure.seed} does not fail when its ops and faults are played as a script; it stays as it is`);
      return { outcome: failure, runs, complete: false };
    }
    o.log.info(`shrinking seed ${failure.seed}: ${first.ops.length} client ops, ${first.faults.length} fault ops, ${first.timeLimitS} s`);
    let size = Infinity;
    while (true) {
      await shortestPrefix(current(), tryScript);
      await earliestStart(current(), tryScript);
      // Each ddmin leaves the last case that failed, which is the one it returns, as `best`.
      await ddmin(faultUnits(current().faults), (kept) => tryScript({ ...current(), faults: kept.flat().sort((a, b) => a.time - b.time) }));
      await ddmin<ScriptedOp>(current().ops, (kept) => tryScript({ ...current(), ops: [...kept] }));
      const now = current().ops.length + current().faults.length;
      o.log.info(`shrinking: ${current().ops.length} client ops, ${current().faults.length} fault ops, ${current().timeLimitS} s after ${runs} runs`);
      if (now >= size) break;
      size = now;
    }
  } catch (e) {
    if (!(e instanceof OutOfBudget)) throw e;
    complete = false;
    o.log.info(`shrinking stopped at its budget of ${o.timeBudgetS} s after ${runs} runs`);
  }
  return { outcome: best ?? failure, runs, complete };
}

/** Cuts the main phase to the shortest prefix (to 10 ms) that still fails, by bisection. */
async function shortestPrefix(script: SimScript, tryScript: (s: SimScript) => Promise<boolean>): Promise<void> {
  const cut = (limitS: number): SimScript => {
    const ns = limitS * 1e9;
    return { timeLimitS: limitS, ops: script.ops.filter((op) => op.time < ns), faults: script.faults.filter((e) => e.time < ns) };
  };
  let lo = 0;
  let hi = script.timeLimitS;
  while (hi - lo > 0.01) {
    const mid = Math.round(((lo + hi) / 2) * 100) / 100;
    if (mid <= lo || mid >= hi) break;
    if (await tryScript(cut(mid))) hi = mid;
    else lo = mid;
  }
}

/** Moves every op and fault earlier by as much as it can (to 10 ms) while the case still fails. */
async function earliestStart(script: SimScript, tryScript: (s: SimScript) => Promise<boolean>): Promise<void> {
  const first = Math.min(...script.ops.map((op) => op.time), ...script.faults.map((e) => e.time)) / 1e9;
  if (!Number.isFinite(first)) return;
  const shift = (byS: number): SimScript => {
    const ns = Math.round(byS * 1e9);
    return {
      timeLimitS: Math.round((script.timeLimitS - byS) * 100) / 100,
      ops: script.ops.map((op) => ({ ...op, time: op.time - ns })),
      faults: script.faults.map((e) => ({ ...e, time: e.time - ns, ...(e.endTime !== undefined ? { endTime: e.endTime - ns } : {}) })),
    };
  };
  let lo = 0;
  let hi = Math.floor(first * 100) / 100;
  if (hi > 0 && (await tryScript(shift(hi)))) return;
  while (hi - lo > 0.01) {
    const mid = Math.round(((lo + hi) / 2) * 100) / 100;
    if (mid <= lo || mid >= hi) break;
    if (await tryScript(shift(mid))) lo = mid;
    else hi = mid;
  }
}
