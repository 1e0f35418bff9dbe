/**
 * The results directory: results/<test-name>/<timestamp>/ with a `latest` symlink per test and
 * one at the top. See results/README.md for the files a run leaves there.
 */
import { mkdirSync, readlinkSync, renameSync, symlinkSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from '../core/errors.ts';

export const RUN_FILES = {
  test: 'test.json',
  history: 'history.jsonl',
  results: 'results.json',
  junit: 'junit.xml',
  log: 'harness.log',
  report: 'report.html',
  schedule: 'schedule.json',
  nodes: 'nodes',
} as const;

/** A timestamp usable as a folder name on every file system: 20261125T120512.345Z. */
export function runStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

/** Creates results/<name>/<stamp>/ (adding a suffix if it exists) with its nodes/ folder. */
export function createRunDir(resultsRoot: string, testName: string, date: Date): string {
  if (!/^[\w.-]+$/.test(testName)) {
    throw new InputError(`test name ${JSON.stringify(testName)} may contain only letters, digits, ".", "_" and "-"`);
  }
  const base = join(resultsRoot, testName, runStamp(date));
  let dir = base;
  for (let i = 1; existsSync(dir); i++) dir = `${base}-${i}`;
  mkdirSync(join(dir, RUN_FILES.nodes), { recursive: true });
  return dir;
}

/** Points results/<name>/latest and results/latest at the run directory (atomically). */
export function updateLatestLinks(resultsRoot: string, runDir: string): void {
  const testDir = join(runDir, '..');
  replaceSymlink(join(testDir, 'latest'), relative(testDir, runDir));
  replaceSymlink(join(resultsRoot, 'latest'), relative(resultsRoot, runDir));
}

function replaceSymlink(link: string, target: string): void {
  const tmp = `${link}.${process.pid}.tmp`;
  symlinkSync(target, tmp);
  renameSync(tmp, link);
}

/** Resolves a run directory argument (a run dir, a test dir or results root with `latest`). */
export function resolveRunDir(path: string): string {
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    throw new InputError('no such run directory', { file: path });
  }
  if (existsSync(join(path, RUN_FILES.history))) return path;
  const latest = join(path, 'latest');
  if (existsSync(latest)) return join(path, readlinkSync(latest));
  throw new InputError(`not a run directory (no ${RUN_FILES.history} and no latest link)`, { file: path });
}
