// `faultline cleanup`: finds a run's leftovers by prefix (a namespace with a marked process in
// it), removes them and reports what it did as one JSON document; a bad prefix is a usage error.
import { spawn } from 'node:child_process';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../core/errors.ts';
import { waitGone } from '../control/proc.ts';
import { run } from '../control/run.ts';
import { cleanupRun, runLeftovers } from '../providers/local/cleanup.ts';
import { register } from './cleanup.ts';

const PREFIX = 'flcli';
const IS_ROOT = process.platform === 'linux' && process.getuid?.() === 0;

async function cli(args: string[]): Promise<string> {
  const program = new Command('faultline').exitOverride();
  register(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('faultline cleanup', () => {
  it('refuses a malformed prefix before doing anything', async () => {
    await expect(cli(['cleanup', '--prefix', 'Bad-Prefix'])).rejects.toThrow(UsageError);
  });

  describe.skipIf(!IS_ROOT)('as root', () => {
    afterAll(async () => {
      await cleanupRun(PREFIX);
    });

    it('removes a namespace of the run and the marked process inside it', async () => {
      await cleanupRun(PREFIX);
      await run(['ip', 'netns', 'add', `${PREFIX}-n1`]);
      const child = spawn('ip', ['netns', 'exec', `${PREFIX}-n1`, 'sleep', '300'], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', FAULTLINE_RUN: PREFIX }, stdio: 'ignore' });
      const pid = child.pid!;
      try {
        expect((await runLeftovers(PREFIX)).length).toBeGreaterThan(0);
        const doc = JSON.parse(await cli(['cleanup', '--prefix', PREFIX, '--json'])) as { runs: { prefix: string; namespaces: string[]; killed: number[] }[]; ok: boolean };
        expect(doc.ok).toBe(true);
        expect(doc.runs).toHaveLength(1);
        expect(doc.runs[0]).toMatchObject({ prefix: PREFIX, namespaces: [`${PREFIX}-n1`] });
        expect(doc.runs[0]!.killed).toContain(pid);
        expect(await waitGone([pid], 2000)).toEqual([]);
        expect(await runLeftovers(PREFIX)).toEqual([]);
        expect(process.exitCode).toBe(0);
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
});
