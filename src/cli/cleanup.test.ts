// `faultline cleanup`: needs --prefix or --all; finds a dead run's leftovers by prefix (a
// namespace with a marked process in it, a work directory), removes them and reports what it did
// as one JSON document; a run whose controller is alive (it holds the prefix) is left alone and
// named; a bad prefix is a usage error.
import { spawn } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../core/errors.ts';
import { waitGone } from '../control/proc.ts';
import { run } from '../control/run.ts';
import { cleanupRun, runLeftovers } from '../providers/local/cleanup.ts';
import { listRunLocks, removeStaleLocks } from '../providers/run-lock.ts';
import { register } from './cleanup.ts';

const PREFIX = 'ficli';
const LIVE = 'ficlive';
const IS_ROOT = process.platform === 'linux' && process.getuid?.() === 0;
const exists = (p: string) => stat(p).then(() => true, () => false);

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

/** A marked process inside a new namespace of the run `prefix`. */
async function leftover(prefix: string): Promise<ReturnType<typeof spawn>> {
  await run(['ip', 'netns', 'add', `${prefix}-n1`]);
  return spawn('ip', ['netns', 'exec', `${prefix}-n1`, 'sleep', '300'], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', FAULTLINE_RUN: prefix }, stdio: 'ignore' });
}

describe('faultline cleanup', () => {
  it('refuses a malformed prefix before doing anything', async () => {
    await expect(cli(['cleanup', '--prefix', 'Bad-Prefix'])).rejects.toThrow(UsageError);
  });

  it('needs --prefix or --all, and not both', async () => {
    await expect(cli(['cleanup'])).rejects.toThrow(/^cleanup needs --prefix P \(the run that ran with that prefix\) or --all \(every run found whose controller is dead\)$/);
    await expect(cli(['cleanup', '--provider', 'docker'])).rejects.toThrow(/cleanup needs --prefix P/);
    await expect(cli(['cleanup', '--prefix', PREFIX, '--all'])).rejects.toThrow(/--prefix P or --all, not both/);
  });

  describe.skipIf(!IS_ROOT)('as root', () => {
    const holders: ReturnType<typeof spawn>[] = [];
    afterAll(async () => {
      for (const h of holders) h.kill('SIGKILL');
      await waitGone(holders.map((h) => h.pid!), 5000);
      for (const p of [PREFIX, LIVE]) {
        await cleanupRun(p);
        await removeStaleLocks(p);
      }
    });

    it('removes a namespace of a dead run, the marked process inside it and its work directory', async () => {
      await cleanupRun(PREFIX);
      const child = await leftover(PREFIX);
      const pid = child.pid!;
      await mkdir(`/tmp/faultline-${PREFIX}/logs`, { recursive: true });
      try {
        expect((await runLeftovers(PREFIX)).length).toBeGreaterThan(0);
        const doc = JSON.parse(await cli(['cleanup', '--prefix', PREFIX, '--json'])) as { runs: { prefix: string; namespaces: string[]; killed: number[]; workDir?: string }[]; left: unknown[]; ok: boolean };
        expect(doc.ok).toBe(true);
        expect(doc.left).toEqual([]);
        expect(doc.runs).toHaveLength(1);
        expect(doc.runs[0]).toMatchObject({ prefix: PREFIX, namespaces: [`${PREFIX}-n1`], workDir: `/tmp/faultline-${PREFIX}` });
        expect(doc.runs[0]!.killed).toContain(pid);
        expect(await waitGone([pid], 2000)).toEqual([]);
        expect(await runLeftovers(PREFIX)).toEqual([]);
        expect(await exists(`/tmp/faultline-${PREFIX}`)).toBe(false);
        expect((await listRunLocks()).filter((l) => l.holder.prefix === PREFIX)).toEqual([]);
        expect(process.exitCode).toBe(0);
      } finally {
        child.kill('SIGKILL');
      }
    });

    it('leaves a run whose controller is alive, and names that controller', async () => {
      await cleanupRun(LIVE);
      const module = fileURLToPath(new URL('../providers/run-lock.ts', import.meta.url));
      const code = `const m = await import(${JSON.stringify(module)}); await m.acquireRunLock({ prefix: '${LIVE}', provider: 'local' }); console.log('held'); setInterval(() => {}, 1 << 30);`;
      const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
      holders.push(holder);
      await new Promise<void>((resolve) => holder.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve()));
      const child = await leftover(LIVE);
      const pid = child.pid!;
      try {
        const doc = JSON.parse(await cli(['cleanup', '--prefix', LIVE, '--json'])) as { runs: unknown[]; left: { prefix: string; pid: number; provider: string }[]; ok: boolean };
        expect(doc).toMatchObject({ runs: [], ok: true });
        expect(doc.left).toMatchObject([{ prefix: LIVE, pid: holder.pid, provider: 'local' }]);
        expect(await runLeftovers(LIVE)).toContain(`namespace ${LIVE}-n1`);
        expect(await runLeftovers(LIVE)).toContain(`process ${pid}`);
      } finally {
        child.kill('SIGKILL');
      }
    });
  });
});
