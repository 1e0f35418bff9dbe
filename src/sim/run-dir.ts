/**
 * A simulated case as a run directory with the usual outputs (see results/README.md):
 * test.json (the seed's test as a TestSpec, which `faultline test` can run on a real cluster),
 * history.jsonl, the check step's results.json, junit.xml, report.html and schedule.json (the
 * faults, for `faultline test --replay-schedule`), the nodes' diagnostic lines under
 * nodes/<node>/node.log, and sim.json: what `faultline sim --replay` needs to run the case again
 * (spec, seed, environment, script), with the sha256 of history.jsonl and of the node code.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/context.ts';
import type { Validity } from '../core/validity.ts';
import { InputError } from '../core/errors.ts';
import { checkRunDir } from '../runner/check-run.ts';
import { createRunDir, RUN_FILES, updateLatestLinks } from '../runner/results-dir.ts';
import { VERSION } from '../version.ts';
import { hashNodeCode, historySha256, type CodeHashes } from './code-hash.ts';
import type { SimEnvironment } from './environment.ts';
import { seedTestInfo, seedTestSpec, type SimPlan } from './plan.ts';
import type { SimScript } from './script.ts';
import type { SeedOutcome } from './seed-run.ts';

export const SIM_FILE = 'sim.json';

/** What sim.json holds. */
export interface SimRecord {
  version: 1;
  /** What this case is: a seed that failed, its shrunk form, or a replay of either. */
  kind: 'failing' | 'shrunk' | 'replay';
  spec: SimPlan['spec'];
  seed: number;
  environment: SimEnvironment;
  script?: SimScript;
  /** sha256 of history.jsonl as written. */
  historySha256: string;
  historyEvents: number;
  simulatedMs: number;
  failedCheckers: string[];
  code: { faultline: string; node: string; nodeCode: CodeHashes };
}

/** history.jsonl's text: one JSON op a line, as the run recorder writes it. */
export function historyText(outcome: SeedOutcome): string {
  let text = '';
  for (const op of outcome.history) text += JSON.stringify(op) + '\n';
  return text;
}

export interface WrittenRun {
  runDir: string;
  record: SimRecord;
  valid: Validity;
}

/** Writes the run directory of a case and checks it there as `faultline test` would. */
export async function writeSimRunDir(plan: SimPlan, outcome: SeedOutcome, kind: SimRecord['kind'], log: Logger, name = plan.spec.name): Promise<WrittenRun> {
  const started = new Date();
  const runDir = createRunDir(plan.spec.resultsDir, name, started);
  const history = historyText(outcome);
  writeFileSync(join(runDir, RUN_FILES.history), history);
  const record: SimRecord = {
    version: 1,
    kind,
    spec: plan.spec,
    seed: outcome.seed,
    environment: outcome.environment,
    ...(outcome.script ? { script: outcome.script } : {}),
    historySha256: historySha256(history),
    historyEvents: outcome.history.length,
    simulatedMs: outcome.simMs,
    failedCheckers: outcome.failedCheckers,
    code: { faultline: VERSION, node: process.version, nodeCode: hashNodeCode(plan.nodeLogic.modules) },
  };
  writeFileSync(join(runDir, SIM_FILE), JSON.stringify(record, null, 2) + '\n');
  const byNode = new Map<string, string[]>();
  for (const [ms, node, line] of outcome.logs) byNode.set(node, [...(byNode.get(node) ?? []), `${ms.toFixed(3)} ${line}`]);
  for (const [node, lines] of byNode) {
    mkdirSync(join(runDir, RUN_FILES.nodes, node), { recursive: true });
    writeFileSync(join(runDir, RUN_FILES.nodes, node, 'node.log'), lines.join('\n') + '\n');
  }
  const spec = seedTestSpec(plan, outcome.seed, outcome.environment);
  const testSpec = outcome.script ? { ...spec, timeLimitS: outcome.script.timeLimitS } : spec;
  const testRecord = {
    options: testSpec,
    seed: outcome.seed,
    versions: { faultline: VERSION, node: process.version },
    simulated: { kind, environment: outcome.environment, simulatedMs: outcome.simMs, replay: ['faultline', 'sim', '--replay', runDir] },
    startedAt: started.toISOString(),
  };
  writeFileSync(join(runDir, RUN_FILES.test), JSON.stringify(testRecord, null, 2) + '\n');
  const test = { ...seedTestInfo(plan, outcome.seed), timeLimitS: testSpec.timeLimitS };
  const checked = await checkRunDir(runDir, outcome.checker, { test, testRecord, errors: [], checkerTimeS: plan.spec.checkerTimeS, log, end: { reason: 'completed' } });
  updateLatestLinks(plan.spec.resultsDir, runDir);
  return { runDir, record, valid: checked.valid };
}

/** Reads sim.json of a run directory. */
export function readSimRecord(runDir: string): SimRecord {
  const file = join(runDir, SIM_FILE);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`not a simulated run (${(e as Error).message})`, { file });
  }
  const r = data as Partial<SimRecord> | null;
  if (!r || r.version !== 1 || typeof r.seed !== 'number' || !r.spec || !r.environment || typeof r.historySha256 !== 'string') {
    throw new InputError('not a sim.json of faultline sim (need version 1, spec, seed, environment, historySha256)', { file });
  }
  return r as SimRecord;
}
