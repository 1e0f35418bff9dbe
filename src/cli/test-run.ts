/**
 * What `faultline test` does once its flags are parsed (loaded only when the command runs): load
 * the parts, plan the test, run it with a progress bar and Ctrl-C handling, print the outcome and
 * set the exit code. A run that could not start exits 254 when the user can fix it (a missing
 * package, a port in use, a bad option) and 255 when it is Faultline's bug.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult } from '../core/validity.ts';
import { FaultlineError, isUserError } from '../core/errors.ts';
import { loadParts } from '../plugins/registry.ts';
import { planTest } from '../runner/plan.ts';
import { runTest } from '../runner/run-test.ts';
import { describeEnd, endHeading, exitCodeForOutcome } from '../runner/outcome.ts';
import { RUN_FILES } from '../runner/results-dir.ts';
import { createLogger } from '../runner/logger.ts';
import { shellQuote } from '../report/summary.ts';
import { reportToGithub } from '../report/github.ts';
import { printJson, printSummary } from './output.ts';
import { createProgress } from './progress.ts';
import { replayArgv, specFromFlags, type TestFlags } from './test.ts';

export async function runFromFlags(flags: TestFlags): Promise<void> {
  const log = createLogger({ stderr: true });
  const { parts, configs } = await loadParts(flags.config);
  const spec = specFromFlags({ ...flags, config: configs });
  const test = await planTest(spec, { parts, log, install: flags.install, replayFor: (s) => ['faultline', ...replayArgv(s)] });
  const replay = shellQuote(test.replay!.slice(1));
  const interrupt = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts > 1) {
      process.stderr.write('faultline: second interrupt, exiting without cleanup\n');
      process.exit(130);
    }
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = createProgress({ enabled: flags.progress && !flags.json, timeLimitS: spec.timeLimitS });
  try {
    const outcome = await runTest(test, { log, signal: interrupt.signal, onProgress: progress.update });
    progress.stop();
    const checkers = (outcome.results['checkers'] ?? {}) as Record<string, CheckResult>;
    const setupError = outcome.setupError;
    if (flags.json) {
      printJson({ runDir: outcome.runDir, seed: spec.seed, replay: `faultline ${replay}`, ...outcome.results });
    } else if (setupError === undefined) {
      const cut = outcome.end.reason === 'completed' ? [] : [`${endHeading(outcome.end, outcome.outcome).toLowerCase()}: ${describeEnd(outcome.end)}`];
      printSummary(outcome.valid, checkers, process.stderr, [`run directory: ${outcome.runDir}`, ...cut], outcome.outcome === 'incomplete');
    }
    if (setupError !== undefined) {
      const message = setupError instanceof Error ? setupError.message : String(setupError);
      process.stderr.write(`faultline: the run could not start: ${message}\n(run directory: ${outcome.runDir})\n`);
      // A DB that never became ready, a port in use, a missing package: the user can fix those.
      const fixable = isUserError(setupError) || (setupError instanceof FaultlineError && setupError.code === 'E_SETUP');
      process.exitCode = exitCodeForOutcome('not-started', fixable);
      return;
    }
    if (outcome.outcome !== 'valid' && !flags.json) {
      process.stderr.write(`seed ${spec.seed}: the same seed draws the same faults (kinds, shapes, targets, sizes), not the same timing:\n  faultline ${replay}\n`);
      const schedule = join(outcome.runDir, RUN_FILES.schedule);
      if (existsSync(schedule)) {
        process.stderr.write(`re-apply this run's faults at the same offsets:\n  faultline ${shellQuote(replayArgv({ ...test.spec!, replaySchedule: schedule }))}\n`);
      }
    }
    if (flags.github) {
      const github = { name: spec.name, results: outcome.results, runDir: outcome.runDir, replay: `faultline ${replay}` };
      reportToGithub(github, flags.json ? process.stderr : process.stdout);
    }
    process.exitCode = exitCodeForOutcome(outcome.outcome);
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
