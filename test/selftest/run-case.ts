/**
 * Runs one self-test case as a real `faultline test` (local network namespaces, needs root) and
 * returns its verdict. Runs use their own namespace prefix and subnet, so they never touch other
 * clusters on the machine.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Validity } from '../../src/core/validity.ts';
import type { SelftestCase } from './cases.ts';
import type { RunVerdict } from './verdict.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
const CLI = path.join(PROJECT_ROOT, 'bin', 'faultline.js');

export interface CaseRunOptions {
  timeLimitS: number;
  seed: number;
  resultsDir: string;
  /** Seconds between faults for cases that set none (default 5). */
  nemesisIntervalS?: number;
  /** `--opt nemesis.spacing` for cases that set none (default: the harness's, random). */
  spacing?: 'random' | 'fixed';
  /** Namespace prefix and subnet of the local provider. */
  prefix?: string;
  subnet?: string;
}

export interface CaseOutcome extends RunVerdict {
  runDir: string | undefined;
  /** Set when the run itself broke (setup failure, bad usage): its verdict means nothing. */
  error?: string;
}

export function caseArgv(c: SelftestCase, o: CaseRunOptions): string[] {
  const argv = [
    'test', '--db', c.db, '--workload', c.workload,
    '--nemesis', c.nemesis.length ? c.nemesis.join(',') : 'none',
    '--nemesis-interval', String(c.nemesisIntervalS ?? o.nemesisIntervalS ?? 5),
    '--time-limit', String(o.timeLimitS), '--seed', String(o.seed),
    '--results-dir', o.resultsDir, '--name', c.id.replace(/\//g, '-'),
    '--json', '--no-progress',
    '--opt', `local.prefix=${o.prefix ?? 'fls'}`, '--opt', `local.subnet=${o.subnet ?? '10.217.0.0/24'}`,
  ];
  for (const b of c.bugs ?? []) argv.push('--bug', b);
  for (const [k, v] of Object.entries(c.opts ?? {})) argv.push('--opt', `${k}=${v}`);
  if (o.spacing && c.nemesis.length > 0 && c.opts?.['nemesis.spacing'] === undefined) argv.push('--opt', `nemesis.spacing=${o.spacing}`);
  argv.push(...(c.args ?? []));
  return argv;
}

interface RunJson {
  runDir?: string;
  valid?: Validity;
  anomalyTypes?: string[];
  checkers?: Record<string, { anomalyTypes?: string[] }>;
}

/** The anomaly types of a run: the summary's list, or the union over its checkers. */
function anomalyTypes(j: RunJson): string[] {
  if (j.anomalyTypes) return j.anomalyTypes;
  return [...new Set(Object.values(j.checkers ?? {}).flatMap(r => r.anomalyTypes ?? []))].sort();
}

export function runCase(c: SelftestCase, o: CaseRunOptions): Promise<CaseOutcome> {
  return new Promise(resolve => {
    const child = spawn(process.execPath, [CLI, ...caseArgv(c, o)], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('close', code => {
      const lastLine = stderr.trim().split('\n').at(-1) ?? '';
      let j: RunJson;
      try {
        j = JSON.parse(stdout) as RunJson;
      } catch {
        resolve({ valid: 'unknown', anomalyTypes: [], runDir: undefined, error: `exit ${code}, no JSON on stdout: ${lastLine}` });
        return;
      }
      const out: CaseOutcome = { valid: j.valid ?? 'unknown', anomalyTypes: anomalyTypes(j), runDir: j.runDir };
      if (code !== 0 && code !== 1 && code !== 2) out.error = `exit ${code}: ${lastLine}`;
      resolve(out);
    });
  });
}

/** Local namespace runs need root; undefined when they can run, else why not. */
export function cannotRunLocally(): string | undefined {
  if (process.platform !== 'linux') return 'the local provider needs Linux';
  if (process.getuid?.() !== 0) return 'the local provider needs root (network namespaces)';
  return undefined;
}
