/**
 * `faultline sim --replay DIR`: runs the case recorded in a run directory's sim.json again (the
 * same spec, seed, environment and, for a shrunk case, script), writes the new run directory,
 * and compares: the same history.jsonl byte for byte is an exact replay. When it differs, the
 * node code hashes say whether the node code changed since the recording (which files), or
 * whether something else did (Faultline itself, or node code that is not deterministic).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/context.ts';
import type { Validity } from '../core/validity.ts';
import type { Parts } from '../plugins/registry.ts';
import { resolveRunDir, RUN_FILES } from '../runner/results-dir.ts';
import { changedFiles } from './code-hash.ts';
import { planSim } from './plan.ts';
import { readSimRecord, writeSimRunDir } from './run-dir.ts';
import { runSeed } from './seed-run.ts';
import { summarize } from './search.ts';

export interface ReplayResult {
  /** The recorded run and the replay's own run directory. */
  recordedRunDir: string;
  runDir: string;
  identical: boolean;
  historySha256: { recorded: string; replayed: string };
  historyEvents: { recorded: number; replayed: number };
  /** 0-based index of the first history event that differs. */
  firstDifference?: number;
  /** Node code files whose hash changed since the recording. */
  nodeCodeChanged: string[];
  faultline: { recorded: string; now: string };
  /** The replayed run's verdict. */
  valid: Validity;
  /** Checkers with a safety finding: the replay fails as a seed of the search would. */
  failedCheckers: string[];
  /** Checkers with a liveness finding only. */
  liveness: string[];
  message: string;
}

function firstDifference(a: string, b: string): number {
  const x = a.split('\n');
  const y = b.split('\n');
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return i;
}

export async function replaySimRunDir(dir: string, parts: Parts, log: Logger, resultsDir?: string): Promise<ReplayResult> {
  const recordedRunDir = resolveRunDir(dir);
  const rec = readSimRecord(recordedRunDir);
  const plan = await planSim({ ...rec.spec, ...(resultsDir ? { resultsDir } : {}) }, parts, log);
  const outcome = await runSeed(plan, { seed: rec.seed, environment: rec.environment, ...(rec.script ? { script: rec.script } : {}) });
  const written = await writeSimRunDir(plan, outcome, 'replay', log, `${rec.spec.name}-replay`);
  const now = written.record;
  const identical = now.historySha256 === rec.historySha256;
  const nodeCodeChanged = changedFiles(rec.code.nodeCode, now.code.nodeCode);
  const faultline = { recorded: rec.code.faultline, now: now.code.faultline };
  const result: ReplayResult = {
    recordedRunDir,
    runDir: written.runDir,
    identical,
    historySha256: { recorded: rec.historySha256, replayed: now.historySha256 },
    historyEvents: { recorded: rec.historyEvents, replayed: now.historyEvents },
    nodeCodeChanged,
    faultline,
    valid: written.valid,
    failedCheckers: outcome.failedCheckers,
    liveness: summarize(outcome).liveness,
    message: '',
  };
  const verdict = outcome.failed
    ? `it fails (${outcome.failedCheckers.join(', ')})`
    : `it does not fail${result.liveness.length ? ` (liveness findings only: ${result.liveness.join(', ')})` : ''}`;
  if (identical) {
    const despite = nodeCodeChanged.length ? `, although node code changed (${nodeCodeChanged.join(', ')}) in ways this run does not reach` : '';
    result.message = `replayed exactly: history.jsonl is the same byte for byte (sha256 ${now.historySha256}, ${now.historyEvents} events)${despite}; ${verdict}`;
    return result;
  }
  const recorded = readFileSync(join(recordedRunDir, RUN_FILES.history), 'utf8');
  const replayed = readFileSync(join(written.runDir, RUN_FILES.history), 'utf8');
  result.firstDifference = firstDifference(recorded, replayed);
  const differs = `the run is not the same: history.jsonl differs from event ${result.firstDifference} on (sha256 ${rec.historySha256} recorded, ${now.historySha256} now)`;
  if (nodeCodeChanged.length) {
    result.message = `${differs}; the node code changed since the recording: ${nodeCodeChanged.join(', ')}; ${verdict}`;
  } else {
    const version = faultline.recorded !== faultline.now ? `Faultline changed (${faultline.recorded} then, ${faultline.now} now)` : 'Faultline itself changed';
    result.message = `${differs}, although the node code is the same: ${version}, or the node code is not deterministic (Math.random, Date.now or timers of its own instead of the runtime's); ${verdict}`;
  }
  return result;
}
