// A controller interrupted with Ctrl-C stops cleanly, checks what it recorded, and says the run
// is incomplete (exit 3, never 0); one killed with SIGKILL mid-run leaves a history that
// `faultline check` reads, and `faultline report` calls that run incomplete.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', 'bin', 'faultline.js');

/** Waits until the run's history.jsonl exists and has at least `bytes` bytes. */
async function waitForHistory(resultsDir: string, bytes: number): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const testDir = join(resultsDir, 'inprocess-atom-register');
    if (existsSync(testDir)) {
      for (const stamp of readdirSync(testDir)) {
        const h = join(testDir, stamp, 'history.jsonl');
        if (existsSync(h) && statSync(h).size >= bytes) return h;
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the run never wrote its history');
}

describe('interrupting a run', () => {
  it('Ctrl-C stops, checks what was recorded and writes results', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-int-'));
    const child = execa('node', [BIN, 'test', '--db', 'inprocess:atom', '--nemesis', 'none', '--time-limit', '60', '--rate', '1000', '--recovery', '0', '--results-dir', dir, '--json'], { reject: false });
    const history = await waitForHistory(dir, 50_000);
    child.kill('SIGINT');
    const r = await child;
    const doc = JSON.parse(r.stdout);
    // What was recorded before the interrupt is linearizable, but the run was cut short.
    expect(doc.checkers.linearizable.valid).toBe(true);
    expect(doc.outcome).toBe('incomplete');
    expect(doc.end.reason).toBe('interrupted');
    expect(r.exitCode).toBe(3);
    expect(doc.historyEvents).toBeGreaterThan(300);
    expect(existsSync(join(history, '..', 'results.json'))).toBe(true);
    expect(readFileSync(join(history, '..', 'harness.log'), 'utf8')).toMatch(/interrupted/);
    // Every output names the outcome: summary.json, junit.xml and a banner in report.html.
    const summary = JSON.parse(readFileSync(join(history, '..', 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ outcome: 'incomplete', end: { reason: 'interrupted' }, exitCode: 3 });
    expect(readFileSync(join(history, '..', 'junit.xml'), 'utf8')).toMatch(/<testcase classname="[^"]*" name="run"[^>]*>\s*<error message="the run was interrupted/);
    const report = readFileSync(join(history, '..', 'report.html'), 'utf8');
    expect(report).toMatch(/<span class="verdict INCOMPLETE">INCOMPLETE<\/span>/);
    expect(report).toMatch(/class="run-end"[^>]*><strong>Incomplete:<\/strong> the run was interrupted/);
  });

  it('SIGKILL mid-run leaves a history that check reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-kill-'));
    const child = execa('node', [BIN, 'test', '--db', 'inprocess:atom', '--nemesis', 'none', '--time-limit', '60', '--rate', '0', '--results-dir', dir], { reject: false });
    const history = await waitForHistory(dir, 200_000);
    child.kill('SIGKILL');
    await child;
    const r = await execa('node', [BIN, 'check', history, '--checker', 'stats', '--json'], { reject: false });
    expect(r.stderr).not.toMatch(/faultline: /);
    expect([0, 1, 2]).toContain(r.exitCode);
    expect(JSON.parse(r.stdout).events).toBeGreaterThan(1000);
    const report = await execa('node', [BIN, 'report', join(history, '..'), '--json'], { reject: false });
    expect(JSON.parse(report.stdout)).toMatchObject({ outcome: 'incomplete', end: { reason: 'controller-gone' } });
    expect(report.exitCode).toBe(3);
  });
});
