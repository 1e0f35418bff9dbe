/**
 * One seed of `faultline sim`: a whole test in the simulator. The seed fixes everything: the
 * environment it draws (environment.ts), the nodes' randomness, the network's and the disks'
 * draws, the workload's ops and the faults. The same parts as a real run build it: the DB's
 * node logic, the workload's generator and checker, Faultline's nemeses (acting on a simulated
 * cluster, see cluster.ts), the runner's whole-run generator, and the run's checkers (the
 * workload's, the standard ones, recovery, fault coverage, availability).
 *
 * A seed *fails* when a checker finds a safety violation: `valid: false` from a checker whose
 * finding is not a liveness one (stats' "an op kind never succeeded" is, and so is unavailability).
 */
import type { Checker } from '../core/checker.ts';
import type { RunContext } from '../core/context.ts';
import type { SimEvent } from './event-queue.ts';
import type { Op } from '../core/op.ts';
import type { CheckResult, Validity } from '../core/validity.ts';
import type { NemesisPackage } from '../core/nemesis.ts';
import { runWithBudget } from '../../checkers/budget.ts';
import { makeNemesisPackage } from '../../nemeses/registry.ts';
import { runChecker } from '../runner/check-run.ts';
import { runContext } from '../runner/context.ts';
import { buildGenerator } from '../runner/run-test.ts';
import type { StoreReply, StoreRequest } from '../stores/protocol.ts';
import { simCluster, simDb } from './cluster.ts';
import { drawEnvironment, FSYNC_MS, type SimEnvironment } from './environment.ts';
import { runSimInterpreter } from './interpreter.ts';
import { latencySampler } from './latency.ts';
import { seedTestInfo, type SimPlan } from './plan.ts';
import { scriptedOps, type SimScript } from './script.ts';
import { Simulator } from './simulator.ts';
import { SimStoreClients } from './store-clients.ts';
import { InvariantWatch } from './invariant-checker.ts';
import { POWER_LOSS, simPowerLoss } from './power-loss.ts';

/** What one seed runs: the seed, and optionally a fixed environment and a script to play. */
export interface SimCase {
  seed: number;
  /** Drawn from the seed when absent. */
  environment?: SimEnvironment;
  /** Client ops and faults to play instead of generating them (a shrunk case). */
  script?: SimScript;
}

export interface SeedOutcome {
  seed: number;
  environment: SimEnvironment;
  script?: SimScript;
  history: Op[];
  /** The composed result of every checker. */
  result: CheckResult;
  /** The checker that judged it (the run's checkers and the node invariants it watched). */
  checker: Checker;
  valid: Validity;
  /** A checker found a safety violation. */
  failed: boolean;
  /** Names of the checkers that found one. */
  failedCheckers: string[];
  /** Simulated milliseconds the run took. */
  simMs: number;
  /** Simulator events processed. */
  events: number;
  /** The nodes' diagnostic lines: [ms, node, line]. */
  logs: [number, string, string][];
  /** The generator did not finish within the simulated-time guard. */
  cutShort: boolean;
}

/** How a seed is checked. */
export interface SeedRunOptions {
  /**
   * Whether to run the checkers that only measure (perf, unhandled errors, fault coverage,
   * availability; default true). They never make a seed fail nor report liveness, so a search
   * leaves them out; a run directory has them (a failing seed is run again for it).
   */
  measurements?: boolean;
}

/** Simulated seconds a seed may run past its planned end before it is cut short. */
const GUARD_S = 120;

/** The environment a case runs in: its own, or drawn from its seed. */
export function environmentOf(plan: SimPlan, c: SimCase): SimEnvironment {
  return (
    c.environment ??
    drawEnvironment(c.seed, {
      latency: plan.sim.latency,
      disk: plan.sim.disk,
      swarm: plan.sim.swarm,
      nemeses: plan.spec.nemesis,
      nemesisIntervalS: plan.spec.nemesisIntervalS,
    })
  );
}

/** The checkers that found a safety violation. */
export function safetyFailures(result: CheckResult): string[] {
  const checkers = (result['checkers'] as Record<string, CheckResult> | undefined) ?? {};
  return Object.entries(checkers)
    .filter(([, r]) => r.valid === false && r['liveness'] !== true)
    .map(([name]) => name);
}

export async function runSeed(plan: SimPlan, c: SimCase, o: SeedRunOptions = {}): Promise<SeedOutcome> {
  const { spec } = plan;
  const seed = c.seed;
  const environment = environmentOf(plan, c);
  const script = c.script;
  const timeLimitS = script?.timeLimitS ?? spec.timeLimitS;
  const bugs = new Set(spec.bug);
  let now = (): number => 0;
  const watch = new InvariantWatch(plan.nodeLogic.invariants?.() ?? [], () => now());
  const sim = new Simulator<StoreRequest, StoreReply>({
    seed,
    nodes: spec.nodes,
    create: (rt) => plan.nodeLogic.create(rt, { options: plan.dbOptions, bugs }),
    latency: latencySampler(environment.latency),
    fsyncMs: FSYNC_MS[environment.disk],
    syncMode: plan.nodeLogic.syncMode?.(bugs) ?? 'fsync',
    ...(watch.empty ? {} : { observe: (node, status) => watch.observe(node, status) }),
  });
  now = () => sim.time;
  const db = simDb(plan.db.name, sim, plan.nodeLogic.adminCommands);
  const test = { ...seedTestInfo(plan, seed), timeLimitS };
  const context: RunContext = {
    ...runContext({ cluster: simCluster(sim), db, runDir: 'simulated', test }),
    timers: {
      now: () => sim.time,
      after: (ms, fn) => sim.schedule(ms, fn, true),
      cancel: (handle) => {
        (handle as SimEvent).run = null;
      },
    },
  };
  const workload = await plan.workload.create({ options: plan.workloadOptions, test });
  const packageOptions = {
    nodes: spec.nodes,
    db,
    provider: 'sim',
    seed,
    test,
    spacing: plan.nemesisPackage.spacing,
    ...(plan.nemesisPackage.targets ? { targets: plan.nemesisPackage.targets } : {}),
    options: plan.nemesisOptions,
  };
  // Faultline's fault kinds act on the simulated cluster as they are; power-loss on the simulated disks.
  const kinds = environment.nemeses.map((n) => (n === POWER_LOSS ? simPowerLoss(plan.nemeses[n]!, sim) : n));
  const nemesis: NemesisPackage | null = script
    ? makeNemesisPackage(kinds, { ...packageOptions, schedule: { version: 1, entries: script.faults } })
    : makeNemesisPackage(kinds, { ...packageOptions, intervalS: environment.nemesisIntervalS });
  const generator = buildGenerator({
    rate: script ? 0 : spec.rate,
    workload: script ? { ...workload, generator: scriptedOps(script.ops) } : workload,
    nemesis,
    timeLimitS,
    recoveryS: spec.recoveryS,
  });
  const clients = new SimStoreClients(sim, plan.mapping, spec.opTimeoutMs);
  await nemesis?.nemesis.setup?.(context);
  const run = await runSimInterpreter({
    sim,
    concurrency: spec.concurrency,
    generator,
    test,
    seed,
    invoke: (node, op, done) => clients.invoke(node, op, done),
    nemesis: nemesis?.nemesis ?? null,
    context,
    limitMs: (timeLimitS + spec.recoveryS + GUARD_S) * 1000,
  });
  const extra: Checker[] = [...(watch.empty ? [] : [watch.checker()]), ...(await Promise.all(plan.checkers.map(({ def, options }) => def.create({ options, test }))))];
  const checker = runChecker({ workload, checkers: extra, nemesis, measurements: o.measurements !== false });
  const result = await runWithBudget(checker, run.history, { test, budget: { timeMs: spec.checkerTimeS * 1000 } });
  const failedCheckers = safetyFailures(result);
  return {
    seed,
    environment,
    ...(script ? { script } : {}),
    history: run.history,
    result,
    checker,
    valid: result.valid,
    failed: failedCheckers.length > 0,
    failedCheckers,
    simMs: sim.time,
    events: sim.events,
    logs: sim.logs,
    cutShort: run.cutShort,
  };
}
