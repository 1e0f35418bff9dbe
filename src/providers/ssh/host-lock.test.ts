// The host-lock script, run here through `sh -c` exactly as a host runs it over ssh: the first
// taker holds the lock while its input stays open, a second one is told who holds it, a release
// frees it and removes the record, and a holder whose input ends without a release (its ssh
// connection went) or that is killed frees the lock but leaves its record, which the next taker
// reports as a vanished holder.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LockHolder } from '../run-lock.ts';
import { hostLockScript, parseHostLockLine } from './host-lock.ts';

const record = (pid: number): LockHolder => ({ what: 'prefix fih', prefix: 'fih', provider: 'ssh', pid, pidStart: '1', token: `t${pid}`, since: '2000-01-01T00:00:00.000Z', command: `controller ${pid}`, machine: 'm' });

describe('the host-lock script', () => {
  let dir: string;
  const shells: ChildProcessWithoutNullStreams[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'faultline-hostlock-'));
  });
  afterAll(async () => {
    for (const s of shells) s.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts the script as the holder `pid` would; resolves with its first line and the shell. */
  async function take(pid: number): Promise<{ line: string; shell: ChildProcessWithoutNullStreams; ended: Promise<number | null> }> {
    const shell = spawn('sh', ['-c', hostLockScript('fih', dir), 'sh', JSON.stringify(record(pid))]);
    shells.push(shell);
    const ended = new Promise<number | null>((resolve) => shell.once('exit', (code) => resolve(code)));
    const line = await new Promise<string>((resolve) => {
      let out = '';
      shell.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
      });
    });
    return { line, shell, ended };
  }

  it('holds while its input is open, names the holder to the next taker, and a release frees it', async () => {
    const a = await take(1);
    expect(parseHostLockLine(a.line)).toEqual({ kind: 'locked', stale: undefined });
    const b = await take(2);
    expect(parseHostLockLine(b.line)).toEqual({ kind: 'held', holder: record(1) });
    expect(await b.ended).toBe(0);
    a.shell.stdin.end('release\n');
    expect(await a.ended).toBe(0);
    await expect(readFile(path.join(dir, 'ssh-fih.json'))).rejects.toThrow(/ENOENT/);
    const c = await take(3);
    expect(parseHostLockLine(c.line)).toEqual({ kind: 'locked', stale: undefined });
    c.shell.stdin.end('release\n');
    await c.ended;
  });

  it('a holder whose input ends without a release, or that is killed, frees the lock and leaves its record for the next taker', async () => {
    const a = await take(4);
    a.shell.stdin.end();
    await a.ended;
    const b = await take(5);
    expect(parseHostLockLine(b.line)).toEqual({ kind: 'locked', stale: record(4) });
    b.shell.kill('SIGKILL');
    await b.ended;
    const c = await take(6);
    expect(parseHostLockLine(c.line)).toEqual({ kind: 'locked', stale: record(5) });
    c.shell.stdin.end('release\n');
    await c.ended;
  });
});
