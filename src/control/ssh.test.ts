// The command lines the ssh Remote sends, run here through a local `sh -c` (which is what the
// remote login shell does with them): argv, environment and cwd arrive intact; sudo is prefixed
// when asked; a daemon starts detached with exactly its clean environment and `$!` is its pid.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processEnviron, waitGone } from './proc.ts';
import { run } from './run.ts';
import { buildCommand, daemonCommand } from './ssh.ts';

describe('ssh command lines', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'faultline-sshcmd-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('carries argv, env and cwd through a shell', async () => {
    const line = buildCommand(['sh', '-c', 'printf "%s|%s|%s" "$A" "$(pwd)" "$1"', 'x', "it's $HOME"], { env: { A: 'a b' }, cwd: dir, sudo: false });
    const r = await run(['sh', '-c', line]);
    expect(r.stdout).toBe(`a b|${dir}|it's $HOME`);
  });

  it('prefixes sudo -n when asked', () => {
    expect(buildCommand(['id'], { sudo: true })).toBe('sudo -n -- id');
    expect(daemonCommand({ argv: ['x'], logFile: '/l/x.log' }, { PATH: '/bin' }, true)).toMatch(/^sudo -n -- env -i PATH=\/bin sh -c /);
  });

  it('starts a daemon detached whose pid and environment are exactly what was asked', async () => {
    const log = path.join(dir, 'logs', 'd.log');
    const cmd = daemonCommand({ argv: ['sh', '-c', 'echo started; exec sleep 60'], cwd: dir, logFile: log }, { PATH: '/usr/bin:/bin', FAULTLINE_RUN: 'flunit', X: 'y z' }, false);
    const r = await run(['sh', '-c', cmd]);
    const pid = Number(r.stdout.trim());
    try {
      const env = await processEnviron(pid);
      expect(env?.get('FAULTLINE_RUN')).toBe('flunit');
      expect(env?.get('X')).toBe('y z');
      expect(env?.has('HOME')).toBe(false);
      for (let i = 0; i < 200 && !(await readFile(log, 'utf8').catch(() => '')).includes('started'); i++) await new Promise((res) => setTimeout(res, 10));
      expect(await readFile(log, 'utf8')).toBe('started\n');
    } finally {
      process.kill(pid, 'SIGKILL');
      expect(await waitGone([pid], 5000)).toEqual([]);
    }
  });
});
