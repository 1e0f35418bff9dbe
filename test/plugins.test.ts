// A user's own parts, loaded by the CLI without editing Faultline: a workload, a checker (in a run
// and in `faultline check`), a nemesis, a DB registered by a faultline.config.ts, their options
// parsed from their schemas, and a module that is not a definition refused in one line.
import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'faultline.js');
const FIX = join(import.meta.dirname, 'fixtures', 'plugins');
const IS_ROOT = process.platform === 'linux' && process.getuid?.() === 0;
const results = mkdtempSync(join(tmpdir(), 'fl-plugins-'));
const cli = (args: string[], cwd = ROOT) => execa('node', [BIN, ...args], { reject: false, cwd, timeout: 180_000 });
// 300 ops/s, so a 2 s register run has compare-and-sets that succeed (stats calls an op kind that never succeeded invalid).
const inProcess = ['--nemesis', 'none', '--time-limit', '2', '--rate', '300', '--recovery', '0', '--no-progress', '--results-dir', results];

describe('parts from modules', () => {
  it('a workload module runs with its own option, and a typo in that option is refused', async () => {
    const r = await cli(['test', '--db', 'inprocess:atom', '--workload', join(FIX, 'echo-workload.ts'), '--opt', 'echo.write-ratio=0.3', ...inProcess]);
    expect(r.stderr).toMatch(/linearizable\s+VALID/);
    expect(r.exitCode).toBe(0);
    const typo = await cli(['test', '--db', 'inprocess:atom', '--workload', join(FIX, 'echo-workload.ts'), '--opt', 'echo.write-ration=0.3', ...inProcess]);
    expect(typo.exitCode).toBe(254);
    expect(typo.stderr).toMatch(/unknown option --opt echo\.write-ration\. Did you mean --opt echo\.write-ratio\?/);
  });

  it('a checker module joins a run and checks a stored history', async () => {
    const r = await cli(['test', '--db', 'inprocess:atom', '--checker', join(FIX, 'max-ops-checker.ts'), '--opt', 'max-ops.limit=3', ...inProcess]);
    expect(r.stderr).toMatch(/max-ops\s+INVALID\s+too-many-ops/);
    expect(r.exitCode).toBe(1);
    const history = join(results, 'h.jsonl');
    writeFileSync(history, ['{"process":0,"type":"invoke","f":"read"}', '{"process":0,"type":"ok","f":"read","value":1}'].join('\n') + '\n');
    const c = await cli(['check', history, '--checker', join(FIX, 'max-ops-checker.ts'), '--opt', 'max-ops.limit=0', '--json']);
    expect(JSON.parse(c.stdout).checkers['max-ops']).toMatchObject({ valid: false, ok: 1, limit: 0 });
  });

  it('a DB registered by faultline.config.ts in the working directory runs by name, and list shows it', async () => {
    const r = await cli(['test', '--db', 'my-atom', '--workload', 'register', ...inProcess], join(FIX, 'config'));
    expect(r.stderr).toMatch(/\nVALID$/);
    expect(r.exitCode).toBe(0);
    const l = await cli(['list', '--json'], join(FIX, 'config'));
    expect(JSON.parse(l.stdout).dbs.map((d: { name: string }) => d.name)).toContain('my-atom');
  });

  it('a module that is not a definition is refused in one line naming what is missing', async () => {
    const r = await cli(['test', '--db', join(FIX, 'not-a-db.ts'), ...inProcess]);
    expect(r.exitCode).toBe(254);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not a Faultline db definition: missing "create"/);
    const missing = await cli(['test', '--db', './no-such-db.ts', ...inProcess]);
    expect(missing.exitCode).toBe(254);
    expect(missing.stderr).toMatch(/--db \S*no-such-db\.ts: no such file/);
  });

  it('a nemesis module needs a cluster: refused up front for in-process stores', async () => {
    const r = await cli(['test', '--db', 'inprocess:atom', '--nemesis', join(FIX, 'noop-nemesis.ts'), '--time-limit', '2', '--results-dir', results]);
    expect(r.exitCode).toBe(254);
    expect(r.stderr).toMatch(/nemesis noop: the stores live in the controller/);
  });

  it.skipIf(!IS_ROOT)('a nemesis module injects its faults into a real cluster, recorded and counted as coverage', async () => {
    const r = await cli(['test', '--db', 'reference:raft', '--nemesis', join(FIX, 'noop-nemesis.ts'), '--time-limit', '6', '--nemesis-interval', '1',
      '--results-dir', results, '--json', '--no-progress', '--opt', 'local.prefix=flpg', '--opt', 'local.subnet=10.222.3.0/24']);
    const doc = JSON.parse(r.stdout) as { outcome: string; checkers: Record<string, { kinds?: Record<string, { windows: number }> }> };
    expect(doc.checkers['fault-coverage']?.kinds?.['noop']?.windows).toBeGreaterThan(0);
    expect(doc.outcome).toBe('valid');
  }, 180_000);
});
