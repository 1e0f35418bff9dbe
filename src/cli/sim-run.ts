/**
 * What `faultline sim` does once its flags are parsed (loaded only when the command runs): plan
 * the simulation, search seeds with a progress line on stderr, and for the first failing seed
 * write its run directory, shrink it and write the shrunk case too, printing how to replay each
 * (exactly, in the simulator; and its faults on a real cluster). `--replay DIR` runs a recorded
 * case again and says whether its history is the same, byte for byte.
 */
import { join, resolve } from 'node:path';
import type { CheckResult } from '../core/validity.ts';
import { EXIT } from '../core/validity.ts';
import { loadParts } from '../plugins/registry.ts';
import { createLogger } from '../runner/logger.ts';
import { RUN_FILES } from '../runner/results-dir.ts';
import { shellQuote } from '../report/summary.ts';
import { planSim, seedTestSpec, type SimPlan } from '../sim/plan.ts';
import { replaySimRunDir } from '../sim/replay.ts';
import { writeSimRunDir } from '../sim/run-dir.ts';
import { searchSeeds, type SeedSummary } from '../sim/search.ts';
import type { SeedOutcome } from '../sim/seed-run.ts';
import { shrinkCase } from '../sim/shrink.ts';
import { printJson } from './output.ts';
import { searchLimits, simSpecFromFlags, type SimFlags } from './sim.ts';
import { replayArgv } from './test.ts';

const PROGRESS_EVERY_MS = 2000;

function rate(n: number, ms: number): string {
  return ms > 0 ? (n / (ms / 1000)).toFixed(1) : '-';
}

/** The anomaly types the failing checkers named. */
function anomalies(o: SeedOutcome): string[] {
  const checkers = (o.result['checkers'] as Record<string, CheckResult> | undefined) ?? {};
  return [...new Set(o.failedCheckers.flatMap((c) => checkers[c]?.anomalyTypes ?? []))].sort();
}

/** The `faultline test` line that applies a case's faults to a real cluster. */
function realClusterCommand(plan: SimPlan, o: SeedOutcome, runDir: string): string {
  const spec = { ...seedTestSpec(plan, o.seed, o.environment), nemesis: [], replaySchedule: join(runDir, RUN_FILES.schedule) };
  return `faultline ${shellQuote(replayArgv(o.script ? { ...spec, timeLimitS: o.script.timeLimitS } : spec))}`;
}

export async function runSimFromFlags(flags: SimFlags): Promise<void> {
  const log = createLogger({ stderr: true });
  const { parts, configs } = await loadParts(flags.config);
  if (flags.replay !== undefined) {
    const r = await replaySimRunDir(flags.replay, parts, log, resolve(flags.resultsDir));
    if (flags.json) printJson(r);
    else {
      process.stderr.write(`${r.message}\nrun directory of the replay: ${r.runDir}\n`);
    }
    // As in a search: a safety finding fails; liveness findings alone do not.
    process.exitCode = r.failedCheckers.length > 0 ? EXIT.invalid : EXIT.valid;
    return;
  }
  const spec = simSpecFromFlags({ ...flags, config: configs });
  const limits = searchLimits(flags);
  const plan = await planSim(spec, parts, log);
  const what = `${spec.db}${spec.bug.length ? ` --bug ${spec.bug.join(',')}` : ''}, ${spec.workload}, nemesis ${spec.nemesis.join(',') || 'none'}, ${spec.nodes.length} nodes`;
  const bound = [limits.seeds !== undefined ? `${limits.seeds} seeds` : '', limits.timeBudgetS !== undefined ? `${limits.timeBudgetS} s` : ''].filter(Boolean).join(' or ');
  log.info(`simulating ${what}: seeds from ${limits.baseSeed}, for ${bound}, on ${limits.workers} worker${limits.workers > 1 ? 's' : ''}`);

  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = performance.now();
  let seeds = 0;
  let simMs = 0;
  let liveness = 0;
  let unknown = 0;
  let lastProgress = started;
  const onSeed = (s: SeedSummary): void => {
    seeds++;
    simMs += s.simMs;
    if (s.liveness.length > 0) liveness++;
    if (s.valid === 'unknown') unknown++;
    const now = performance.now();
    if (!flags.json && now - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = now;
      log.info(`${seeds} seeds, ${rate(seeds, now - started)} seeds/s, ${rate(simMs / 1000, now - started)} simulated s/s, no failure yet`);
    }
  };
  let result;
  try {
    result = await searchSeeds(plan, { ...limits, configs, signal: interrupt.signal, onSeed }, log);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const summary = {
    baseSeed: limits.baseSeed,
    seeds,
    wallS: Number((result.wallMs / 1000).toFixed(2)),
    seedsPerS: Number(rate(seeds, result.wallMs)),
    simulatedS: Number((simMs / 1000).toFixed(1)),
    simulatedSPerS: Number(rate(simMs / 1000, result.wallMs)),
    livenessFindings: liveness,
    unknown,
    stopped: result.stopped,
  };
  const extra = [liveness ? `${liveness} with a liveness finding (an op kind that never succeeded)` : '', unknown ? `${unknown} undecided` : ''].filter(Boolean);
  log.info(`${seeds} seeds (${limits.baseSeed}..) in ${summary.wallS} s: ${summary.seedsPerS} seeds/s, ${summary.simulatedSPerS} simulated s per s${extra.length ? `; ${extra.join(', ')}` : ''}`);
  const failure = result.failure;
  if (!failure) {
    if (flags.json) printJson(summary);
    else log.info(`no failure (${result.stopped === 'interrupted' ? 'interrupted' : result.stopped === 'seeds' ? 'every seed ran' : 'time budget spent'})`);
    process.exitCode = EXIT.valid;
    return;
  }
  log.info(`seed ${failure.seed} fails: ${failure.failedCheckers.join(', ')} (${anomalies(failure).join(', ')}); environment ${JSON.stringify(failure.environment)}`);
  const failing = await writeSimRunDir(plan, failure, 'failing', log);
  log.info(`failing seed written to ${failing.runDir}`);
  let shrunk: { runDir: string; ops: number; faults: number; timeLimitS: number; runs: number; realCluster: string } | undefined;
  if (plan.sim.shrink) {
    const s = await shrinkCase(plan, failure, { timeBudgetS: plan.sim['shrink-time'], log });
    const written = await writeSimRunDir(plan, s.outcome, 'shrunk', log, `${plan.spec.name}-shrunk`);
    const script = s.outcome.script!;
    shrunk = { runDir: written.runDir, ops: script.ops.length, faults: script.faults.length, timeLimitS: script.timeLimitS, runs: s.runs, realCluster: realClusterCommand(plan, s.outcome, written.runDir) };
    log.info(`shrunk in ${s.runs} runs to ${shrunk.ops} client ops and ${shrunk.faults} fault ops in ${shrunk.timeLimitS} s: ${written.runDir}`);
  }
  const doc = {
    ...summary,
    failure: {
      seed: failure.seed,
      checkers: failure.failedCheckers,
      anomalyTypes: anomalies(failure),
      environment: failure.environment,
      runDir: failing.runDir,
      replay: `faultline sim --replay ${shellQuote([failing.runDir])}`,
      realCluster: realClusterCommand(plan, failure, failing.runDir),
      ...(shrunk ? { shrunk: { ...shrunk, replay: `faultline sim --replay ${shellQuote([shrunk.runDir])}` } } : {}),
    },
  };
  if (flags.json) printJson(doc);
  else {
    const lines = [
      `FAILURE: seed ${failure.seed}, ${doc.failure.checkers.join(', ')}: ${doc.failure.anomalyTypes.join(', ')}`,
      `  run directory: ${failing.runDir}`,
      `  replay it exactly:       ${doc.failure.replay}`,
      `  its faults on a cluster: ${doc.failure.realCluster}`,
      ...(doc.failure.shrunk
        ? [
            `shrunk: ${shrunk!.ops} client ops, ${shrunk!.faults} fault ops, ${shrunk!.timeLimitS} s: ${shrunk!.runDir}`,
            `  replay it exactly:       ${doc.failure.shrunk.replay}`,
            `  its faults on a cluster: ${shrunk!.realCluster}`,
          ]
        : []),
    ];
    process.stderr.write(lines.join('\n') + '\n');
  }
  process.exitCode = EXIT.invalid;
}
