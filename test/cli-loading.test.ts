// What each command loads, counted by module hooks in a real process (from the sources, through
// tsx): `list` loads the part definitions and none of their implementations, `check` only the
// parser and the checker it runs, `--version` nothing but the entry point. Module counts, not
// times: a regression shows up as a module that should not be there.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { packageFile, tsxLoaderUrl } from '../src/code-paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'cli-loading-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const recorder = pathToFileURL(join(import.meta.dirname, 'fixtures', 'load-recorder', 'register.mjs')).href;

/** The package's own modules (paths from its root) that `node <entry> ...args` loaded. */
function loaded(entry: string[], args: string[]): string[] {
  const record = join(dir, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  const r = spawnSync(process.execPath, ['--import', recorder, ...entry, ...args], {
    env: { ...process.env, FAULTLINE_LOAD_RECORD: record, FAULTLINE_FROM_SOURCES: '1' },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  const root = `${pathToFileURL(packageFile('')).href}/`;
  return readFileSync(record, 'utf8').split('\n').filter((u) => u.startsWith(root) && !u.includes('/node_modules/')).map((u) => u.slice(root.length));
}

const fromSources = (args: string[]) => loaded(['--import', tsxLoaderUrl(), packageFile('src/cli/main.ts')], args);

/** Modules that implement parts: none may load just to name or describe them. */
const IMPLEMENTATIONS = [
  /^checkers\/linearizable\/(?!models\/names)/,
  // The consistency-model lattice (elle/model.ts) is in: the anomaly glossary, whose entries `list` counts, is built on it.
  /^checkers\/elle\/(?!model\.ts$)/,
  /^checkers\/(set|counter|bank|queue|unique-ids|causal|long-fork|stale-reads|availability)\//,
  /^checkers\/session\/session-guarantees/,
  /^workloads\/[^/]+\//,
  /^src\/db\/(etcd|consul|process)\/db\.ts$/,
  /^src\/db\/reference\/(raft|sharded)\.ts$/,
  /^src\/stores\/(?!invariants)/,
  /^src\/inprocess\//,
  /^src\/disk\/faultfs/,
  /^src\/control\/(run|local|ssh|docker)/,
  /^src\/providers\/(local|ssh|docker)\/provider/,
  /^src\/generator\/index/,
];

const implementationsIn = (modules: string[]) => modules.filter((m) => IMPLEMENTATIONS.some((re) => re.test(m)));

describe('what the commands load', () => {
  it('list loads every part definition and no implementation', () => {
    const modules = fromSources(['list']);
    for (const definitions of ['src/db/index.ts', 'workloads/index.ts', 'nemeses/definitions.ts', 'checkers/definitions.ts', 'src/providers/index.ts']) expect(modules).toContain(definitions);
    expect(implementationsIn(modules)).toEqual([]);
    expect(modules.length).toBeLessThanOrEqual(75);
  });

  it('check of an EDN register history loads the importers and the linearizable checker, nothing of runs', () => {
    const edn = join(dir, 'history.edn');
    writeFileSync(edn, '{:process 0 :type :invoke :f :write :value 1}\n{:process 0 :type :ok :f :write :value 1}\n{:process 1 :type :invoke :f :read :value nil}\n{:process 1 :type :ok :f :read :value 1}\n');
    const modules = fromSources(['check', edn, '--model', 'register', '--init', '0']);
    expect(modules).toContain('src/history/importers/edn.ts');
    expect(modules).toContain('checkers/linearizable/search.ts');
    expect(implementationsIn(modules).filter((m) => !m.startsWith('checkers/linearizable/'))).toEqual([]);
    expect(modules.filter((m) => /^(nemeses|workloads|src\/(db|stores|providers\/(local|ssh|docker)|runner\/run|sim))\//.test(m))).toEqual([]);
    expect(modules.length).toBeLessThanOrEqual(90);
  });

  it('--version loads nothing but the entry point', () => {
    expect(loaded([packageFile('bin/faultline.js')], ['--version'])).toEqual(['bin/faultline.js']);
  });
});
