// `faultline sim` end to end on the command line, with the example node logic (examples/sim-node)
// as a user's module: a search that passes, one that fails and writes the failing and the shrunk
// case as run directories, exact replays compared by the sha256 of history.jsonl, and a replay
// after the node code changed, which must say so.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSchedule, type ScheduleEntry } from '../nemeses/schedule.ts';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'faultline.js');
const faultline = (args: string[]) => execa('node', [BIN, ...args], { reject: false });
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The example as a user's own module, in a directory of its own. */
function exampleCopy(): { dir: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fl-sim-'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  cpSync(join(ROOT, 'examples', 'sim-node'), join(dir, 'sim-node'), { recursive: true });
  for (const f of readdirSync(join(dir, 'sim-node'))) {
    const file = join(dir, 'sim-node', f);
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll("'../../src/index.ts'", JSON.stringify(join(ROOT, 'src', 'index.ts'))));
  }
  return { dir, db: join(dir, 'sim-node', 'db.ts') };
}

describe('faultline sim', () => {
  it('searches seeds of the correct raft store on worker threads and finds nothing', async () => {
    const results = mkdtempSync(join(tmpdir(), 'fl-sim-'));
    const r = await faultline(['sim', '--seeds', '4', '--seed', '11', '--time-limit', '5', '--workers', '2', '--json', '--results-dir', results]);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ baseSeed: 11, seeds: 4, stopped: 'seeds' });
    expect(doc.simulatedS).toBeGreaterThan(4 * 5);
  });

  it('finds, writes, shrinks and replays a failure of a user\'s node logic; a change of the node code is said', async () => {
    const { dir, db } = exampleCopy();
    const results = join(dir, 'results');
    const search = await faultline(['sim', '--db', db, '--bug', 'ack-before-fsync', '--seed', '1', '--time-budget', '30', '--workers', '1',
      '--json', '--results-dir', results, '--opt', 'sim.shrink-time=20']);
    expect(search.exitCode).toBe(1);
    const { failure } = JSON.parse(search.stdout);
    expect(failure.checkers).toContain('linearizable');
    for (const runDir of [failure.runDir, failure.shrunk.runDir]) {
      for (const f of ['history.jsonl', 'results.json', 'report.html', 'schedule.json', 'sim.json', 'test.json']) expect(existsSync(join(runDir, f))).toBe(true);
      expect(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')).valid).toBe(false);
    }
    expect(failure.shrunk.ops + failure.shrunk.faults).toBeLessThan(20);
    expect(failure.shrunk.realCluster).toMatch(/^faultline test .* --replay-schedule \S+schedule\.json$/);
    // The shrunk faults, as `faultline test --replay-schedule` reads them: the shrunk script's
    // faults with their concrete effects, then only the heals that end every run.
    const script = JSON.parse(readFileSync(join(failure.shrunk.runDir, 'sim.json'), 'utf8')).script;
    const schedule = await readSchedule(join(failure.shrunk.runDir, 'schedule.json'));
    const concrete = (e: ScheduleEntry) => [e.f, e.time, e.result];
    expect(schedule.entries.slice(0, failure.shrunk.faults).map(concrete)).toEqual(script.faults.map(concrete));
    expect(schedule.entries.slice(failure.shrunk.faults).every((e) => e.f.startsWith('stop-'))).toBe(true);

    for (const runDir of [failure.runDir, failure.shrunk.runDir]) {
      const replay = await faultline(['sim', '--replay', runDir, '--json', '--results-dir', results]);
      expect(replay.exitCode).toBe(1);
      const doc = JSON.parse(replay.stdout);
      expect(doc.identical).toBe(true);
      expect(sha256(join(doc.runDir, 'history.jsonl'))).toBe(sha256(join(runDir, 'history.jsonl')));
      expect(doc.historySha256.replayed).toBe(sha256(join(runDir, 'history.jsonl')));
      expect(doc.nodeCodeChanged).toEqual([]);
    }

    // The primary now answers writes after its log is durable even with the bug flag: the run changes.
    const node = join(dir, 'sim-node', 'node.ts');
    writeFileSync(node, readFileSync(node, 'utf8').replace("if (this.#bugs.has('ack-before-fsync')) {", 'if (false) {'));
    const changed = await faultline(['sim', '--replay', failure.shrunk.runDir, '--json', '--results-dir', results]);
    const doc = JSON.parse(changed.stdout);
    expect(doc.identical).toBe(false);
    expect(doc.nodeCodeChanged).toEqual([node]);
    expect(doc.message).toMatch(/the node code changed since the recording/);
    expect(changed.exitCode).toBe(0);
  });
});
