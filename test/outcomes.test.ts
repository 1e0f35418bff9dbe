// Every way a run ends is a distinct, honest outcome: limits refused up front (exit 254), a full
// disk stops the run with teardown and an incomplete outcome (exit 3, never a crash), and a run
// whose final reads all fail says the cluster did not recover.
import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recovery } from '../checkers/recovery.ts';
import { HistoryBuilder } from '../src/inprocess/history-builder.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'faultline.js');
const IS_ROOT = process.platform === 'linux' && process.getuid?.() === 0;
const cli = (args: string[]) => execa('node', [BIN, ...args], { reject: false, timeout: 120_000 });

describe('limits checked up front', () => {
  it('refuses a time limit of 0 or beyond what a timer can wait, and more clients than one controller drives', async () => {
    for (const [args, message] of [
      [['--time-limit', '0'], /time limit must be more than 0/],
      [['--time-limit', String(25 * 86_400)], /at most 1814400 s/],
      [['--concurrency', '1000000'], /concurrency must be a whole number from 1 to \d+ \(what one controller can drive/],
    ] as const) {
      const r = await cli(['test', '--db', 'inprocess:atom', '--nemesis', 'none', ...args]);
      expect(r.exitCode).toBe(254);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('the recovery checker', () => {
  it('is unknown when no final op succeeded, valid when one did', () => {
    const none = new HistoryBuilder().op(0, 'write', 1).build();
    expect(recovery().check(none)).toMatchObject({ valid: 'unknown', error: expect.stringMatching(/no final op ran/) });
    const failed = new HistoryBuilder().op(0, 'read', null, 'fail').build().map((op) => ({ ...op, phase: 'final' }));
    expect(recovery().check(failed)).toMatchObject({ valid: 'unknown', error: expect.stringMatching(/did not recover: none of the 1 final ops/) });
    const ok = new HistoryBuilder().op(0, 'read', null, 'ok', 3).build().map((op) => ({ ...op, phase: 'final' }));
    expect(recovery().check(ok)).toMatchObject({ valid: true, final: { invoked: 1, ok: 1 } });
  });
});

describe.skipIf(!IS_ROOT)('a full disk (a 2 MB tmpfs as the results directory)', () => {
  const mount = mkdtempSync(join(tmpdir(), 'fl-full-'));
  afterAll(() => {
    execFileSync('umount', [mount], { stdio: 'ignore' });
    rmSync(mount, { recursive: true, force: true });
  });

  it('stops the run, tears down, and ends incomplete with exit 3 and one line saying why', async () => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mount]);
    mkdirSync(join(mount, 'results'));
    const r = await cli(['test', '--db', 'inprocess:atom', '--nemesis', 'none', '--time-limit', '60', '--rate', '0', '--results-dir', join(mount, 'results'), '--no-progress']);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stderr).toMatch(/the disk filled up/);
    expect(r.stderr).toMatch(/INCOMPLETE/);
    expect(r.exitCode).toBe(3);
    expect(readdirSync(join(mount, 'results'))).toContain('inprocess-atom-register');
  });
});
