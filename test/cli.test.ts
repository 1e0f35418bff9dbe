// The command line end to end: exit codes for valid / invalid / unknown / bad input, --json, and
// the run directory a test leaves behind.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { writeRegisterHistory } from '../bench/register-history.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'faultline.js');
const run = (args: string[]) => execa('node', [BIN, ...args], { reject: false });
const tmp = () => mkdtempSync(join(tmpdir(), 'fl-cli-'));

function jsonl(ops: object[]): string {
  return ops.map((o, index) => JSON.stringify({ index, time: index * 1000, value: null, ...o })).join('\n') + '\n';
}
function writeHistory(ops: object[]): string {
  const path = join(tmp(), 'history.jsonl');
  writeFileSync(path, jsonl(ops));
  return path;
}

const allOk = [
  { process: 0, type: 'invoke', f: 'write' }, { process: 0, type: 'ok', f: 'write' },
  { process: 1, type: 'invoke', f: 'read' }, { process: 1, type: 'ok', f: 'read' },
];
const writeNeverOk = [
  { process: 0, type: 'invoke', f: 'write' }, { process: 0, type: 'fail', f: 'write' },
  { process: 1, type: 'invoke', f: 'read' }, { process: 1, type: 'ok', f: 'read' },
];

function expectOneLineError(r: { exitCode?: number; stderr: string; stdout: string }, pattern: RegExp): void {
  expect(r.exitCode).toBe(254);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(r.stdout).toBe('');
}

describe('faultline check', () => {
  it('exits 0 for a valid history', async () => {
    const r = await run(['check', writeHistory(allOk), '--checker', 'stats']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/VALID/);
  });

  it('exits 1 for an invalid history', async () => {
    const r = await run(['check', writeHistory(writeNeverOk), '--checker', 'stats']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/never-succeeded/);
  });

  it('exits 2 when a checker cannot decide', async () => {
    const r = await run(['check', writeHistory([{ process: 'nemesis', type: 'invoke', f: 'start-partition' }]), '--checker', 'stats']);
    expect(r.exitCode).toBe(2);
  });

  it('reads a history from standard input (- or /dev/stdin), with and without the checker named', async () => {
    const piped = (file: string, args: string[], ops: object[]) => execa('node', [BIN, 'check', file, ...args], { reject: false, input: jsonl(ops) });
    expect((await piped('-', ['--checker', 'stats'], writeNeverOk)).exitCode).toBe(1);
    expect((await piped('/dev/stdin', ['--checker', 'stats'], writeNeverOk)).exitCode).toBe(1);
    const r = await piped('-', [], allOk);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });

  it('prints exactly one JSON document with --json', async () => {
    const r = await run(['check', writeHistory(allOk), '--checker', 'stats,perf', '--json']);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.valid).toBe(true);
    expect(Object.keys(doc.checkers)).toEqual(['stats', 'perf']);
  });

  it('tolerates a torn last line and says so', async () => {
    const path = writeHistory(allOk);
    writeFileSync(path, readFileSync(path, 'utf8') + '{"index":4,"ti');
    const r = await run(['check', path, '--checker', 'stats']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/last line was cut off mid-write and was dropped/);
  });

  it('rejects a malformed line with its line number', async () => {
    const path = writeHistory(allOk);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[1] = '{"index": 1, "process": 0, oops';
    writeFileSync(path, lines.join('\n'));
    expectOneLineError(await run(['check', path, '--checker', 'stats']), /history\.jsonl:2: malformed JSON/);
  });

  it('rejects a completion without invocation, naming the op', async () => {
    const path = writeHistory([{ process: 3, type: 'ok', f: 'read' }]);
    expectOneLineError(await run(['check', path, '--checker', 'stats']), /op 0: ok completion of read by process 3 without an open invocation/);
  });

  it('rejects an unknown checker', async () => {
    expectOneLineError(await run(['check', writeHistory(allOk), '--checker', 'nope']), /unknown checker "nope"/);
  });

  it('rejects a missing file and an empty file', async () => {
    expectOneLineError(await run(['check', '/nonexistent/h.jsonl', '--checker', 'stats']), /cannot read history: ENOENT/);
    const empty = join(tmp(), 'empty.jsonl');
    writeFileSync(empty, '');
    expectOneLineError(await run(['check', empty, '--checker', 'stats']), /empty\.jsonl: the history is empty/);
  });

  it('rejects unknown options with 254', async () => {
    const r = await run(['check', writeHistory(allOk), '--bogus']);
    expect(r.exitCode).toBe(254);
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
  });
});

describe('faultline check in one pass (our JSONL with the checker named)', () => {
  it('checks a long register history as it reads it, and names an injected stale read', async () => {
    const dir = tmp();
    const good = join(dir, 'good.jsonl');
    const bad = join(dir, 'bad.jsonl');
    await writeRegisterHistory(good, { ops: 20_000, processes: 10, seed: 3 });
    await writeRegisterHistory(bad, { ops: 20_000, processes: 10, seed: 3, staleReadAt: 15_000 });
    const ok = await run(['check', good, '--model', 'cas-register', '--json']);
    expect(ok.exitCode).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, format: 'jsonl', events: 40_000 });
    const r = await run(['check', bad, '--model', 'cas-register', '--json']);
    expect(r.exitCode).toBe(1);
    const injected = readFileSync(bad, 'utf8').split('\n').find((l) => l.includes('"injected"'))!;
    const ce = JSON.parse(r.stdout).checkers.linearizable.counterexample;
    expect(ce.op.completion).toBe(JSON.parse(injected).index);
    expect(ce.reason).toMatch(/^read \d+ \(op \d+\) cannot be linearized/);
    expect(ce.partials[0].ops.length).toBeLessThanOrEqual(48);
  });

  it('rejects a malformed op met on the way with its index', async () => {
    const path = writeHistory([...allOk, { process: 1, type: 'ok', f: 'read' }]);
    expectOneLineError(await run(['check', path, '--model', 'register']), /op 4: ok completion of read by process 1 without an open invocation/);
  });
});

describe('faultline check on other tools\' histories', () => {
  const corpus = join(import.meta.dirname, '..', '..', 'shared', 'corpus');
  const file = (rel: string): string => join(corpus, rel);
  const present = existsSync(corpus);

  it.skipIf(!present)('checks a Knossos EDN history with its natural model', async () => {
    const bad = await run(['check', file('knossos/data/cas-register/bad/cas-failure.edn'), '--json']);
    expect(bad.exitCode).toBe(1);
    expect(JSON.parse(bad.stdout).format).toBe('edn');
    const good = await run(['check', file('knossos/data/cas-register/good/memstress3-0.edn'), '--model', 'cas-register', '--init', '0']);
    expect(good.exitCode).toBe(0);
  });

  it.skipIf(!present)('checks an Elle list-append history with the transactional checker', async () => {
    const r = await run(['check', file('elle/test-data/list-append-anomaly-g0-cycle.json'), '--json']);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).anomalyTypes).toContain('G0');
  });

  it('names file, line and column of a truncated EDN history', async () => {
    const path = join(tmp(), 'h.edn');
    writeFileSync(path, '[{:type :invoke, :f :read, :process 0, :value nil}\n {:type :ok, :f :read, :process 0, :value 1');
    const r = await run(['check', path, '--model', 'register']);
    expectOneLineError(r, /h\.edn:2: column \d+/);
  });

  it('rejects an op the model does not know, naming it', async () => {
    const path = writeHistory([{ process: 0, type: 'invoke', f: 'dance' }, { process: 0, type: 'ok', f: 'dance' }]);
    const r = await run(['check', path, '--model', 'cas-register']);
    expectOneLineError(r, /history\.jsonl: op 0: .*no op "dance"/);
  });
});

describe('faultline report', () => {
  it('rejects a non-existent run directory', async () => {
    expectOneLineError(await run(['report', '/nonexistent/run']), /\/nonexistent\/run: no such run directory/);
  });
});

describe('faultline test (in-process stores)', () => {
  it('leaves a complete run directory and exits 0 for the linearizable atom', async () => {
    const dir = tmp();
    const r = await run(['test', '--db', 'inprocess:atom', '--nemesis', 'none', '--time-limit', '2', '--rate', '1000', '--recovery', '0', '--results-dir', dir, '--seed', '7', '--json']);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.valid).toBe(true);
    expect(doc.seed).toBe(7);
    const runDir: string = doc.runDir;
    for (const f of ['test.json', 'history.jsonl', 'results.json', 'junit.xml', 'report.html', 'harness.log']) {
      expect(existsSync(join(runDir, f)), f).toBe(true);
    }
    expect(readlinkSync(join(dir, 'latest'))).toMatch(/^inprocess-atom-register\//);
    const test = JSON.parse(readFileSync(join(runDir, 'test.json'), 'utf8'));
    expect(test.replay).toContain('--seed');
    expect(readFileSync(join(runDir, 'junit.xml'), 'utf8')).toMatch(/<testcase classname="inprocess-atom-register" name="linearizable"/);
    // The stored run can be re-checked.
    const again = await run(['report', runDir, '--json']);
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout).valid).toBe(true);
  });

  it('exits 1 for the stale atom and prints the replay command', async () => {
    const dir = tmp();
    const r = await run(['test', '--db', 'inprocess:stale-atom', '--nemesis', 'none', '--time-limit', '3', '--rate', '300', '--recovery', '0', '--results-dir', dir, '--seed', '11']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/linearizable\s+INVALID/);
    expect(r.stderr).toMatch(/replay with: faultline test .*--seed 11/);
  });

  it('refuses impossible combinations before setting anything up', async () => {
    expectOneLineError(await run(['test', '--db', 'nope']), /unknown db "nope"/);
    expectOneLineError(await run(['test', '--db', 'inprocess:atom', '--workload', 'nope']), /unknown workload "nope"/);
    expectOneLineError(await run(['test', '--db', 'inprocess:atom', '--workload', 'set']), /cannot serve workload "set"/);
    expectOneLineError(await run(['test', '--db', 'inprocess:atom', '--nemesis', 'partition']), /there is no cluster to inject faults into/);
    expectOneLineError(await run(['test', '--concurrency', '0']), /--concurrency must be an integer >= 1/);
    expectOneLineError(await run(['test', '--nemesis', 'flood']), /unknown nemesis "flood"/);
    expectOneLineError(await run(['test', '--bug', 'nope']), /has no bug flag "nope"/);
  });
});
