/**
 * `faultline report <run-dir>`: re-run the checkers on a stored run and rewrite its results.json,
 * junit.xml and report.html (after a checker was improved, or a run was cut short). What only the
 * run could record is kept from its results.json: its online check (compared again with the new
 * results), how late the controller ran, and the errors the run met.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestInfo } from '../core/context.ts';
import type { TestSpec } from '../core/test.ts';
import type { Topology } from '../core/topology.ts';
import type { CheckResult } from '../core/validity.ts';
import type { RunEnd } from '../runner/outcome.ts';
import { InputError } from '../core/errors.ts';
import type { OnlineRecord } from '../runner/online-check.ts';

interface StoredTest {
  options: TestSpec;
  /** The topology the run had, placed on its nodes. */
  topology?: Topology;
  replay?: string[];
  /** How the run ended; absent when the controller stopped before recording it. */
  end?: RunEnd;
}

/** What the run itself recorded in results.json that checking again cannot recompute. */
interface RunRecord {
  online?: OnlineRecord;
  harness?: Readonly<Record<string, unknown>>;
  runErrors: string[];
}

/**
 * The run's own record from its results.json (at `path`): its online check, how late the
 * controller ran, and the errors the run met (a teardown that failed stays said).
 */
function readRunRecord(path: string): RunRecord {
  let stored: { online?: OnlineRecord; harness?: unknown; runErrors?: unknown };
  try {
    stored = JSON.parse(readFileSync(path, 'utf8')) as typeof stored;
  } catch {
    return { runErrors: [] }; // no results yet (the run was cut short before its check), or unreadable
  }
  const { online, harness, runErrors } = stored;
  return {
    ...(online && Array.isArray(online.checked) && typeof online.verdicts === 'object' ? { online } : {}),
    ...(harness && typeof harness === 'object' ? { harness: harness as Record<string, unknown> } : {}),
    runErrors: Array.isArray(runErrors) ? runErrors.filter((e): e is string => typeof e === 'string') : [],
  };
}

function readTest(path: string): StoredTest {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as StoredTest;
    if (!parsed.options || typeof parsed.options.workload !== 'string') throw new Error('no options.workload field');
    return parsed;
  } catch (e) {
    throw new InputError(`cannot read the test description: ${(e as Error).message}`, { file: path });
  }
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('re-check a stored run and rewrite its results.json, junit.xml and report.html')
    .argument('<run-dir>', 'a run directory (or a test directory / results directory with a latest link)')
    .option('--json', 'print one JSON document on stdout')
    .action(async (dir: string, flags: { json?: boolean }) => {
      const { loadParts } = await import('../plugins/registry.ts');
      const { checkerForSpec } = await import('../runner/plan.ts');
      const { checkRunDir } = await import('../runner/check-run.ts');
      const { createLogger } = await import('../runner/logger.ts');
      const { recordedOnline } = await import('../runner/online-check.ts');
      const { RUN_FILES, resolveRunDir } = await import('../runner/results-dir.ts');
      const { describeEnd, endHeading, exitCodeForOutcome, outcomeOf } = await import('../runner/outcome.ts');
      const { printJson, printSummary } = await import('./output.ts');
      const runDir = resolveRunDir(dir);
      const stored = readTest(join(runDir, RUN_FILES.test));
      const spec = stored.options;
      const log = createLogger({ stderr: !flags.json });
      const { parts } = await loadParts(spec.configs ?? []);
      const checker = await checkerForSpec(spec, parts, log, stored.topology);
      const test: TestInfo = {
        name: spec.name, nodes: spec.nodes, concurrency: spec.concurrency, timeLimitS: spec.timeLimitS, opTimeoutMs: spec.opTimeoutMs, seed: spec.seed, options: spec.options,
        ...(stored.topology ? { topology: stored.topology } : {}),
      };
      // A run whose end was never recorded was cut short by its controller's death.
      const end: RunEnd = stored.end ?? { reason: 'controller-gone', detail: 'test.json records no end' };
      const { online, harness, runErrors } = readRunRecord(join(runDir, RUN_FILES.results));
      const { valid, results } = await checkRunDir(runDir, checker, {
        test, testRecord: { ...stored }, errors: runErrors, checkerTimeS: spec.checkerTimeS, log, end,
        ...(harness ? { harness } : {}),
        ...(online ? { online: recordedOnline(online) } : {}),
      });
      const outcome = outcomeOf(valid, end);
      if (flags.json) printJson({ runDir, ...results });
      else printSummary(valid, (results['checkers'] ?? {}) as Record<string, CheckResult>, process.stdout, [`run directory: ${runDir}`, ...(end.reason === 'completed' ? [] : [`${endHeading(end, outcome).toLowerCase()}: ${describeEnd(end)}`])], outcome === 'incomplete');
      process.exitCode = exitCodeForOutcome(outcome);
    });
}
