// The command line with the docker provider: bad input (no engine, missing image, subnet in use)
// is one line with the fix and exit 254 before anything is created; `doctor --provider docker`
// reports the engine and the faults containers support; after a run is SIGKILLed mid-way,
// `cleanup --provider docker` removes every container and network it left.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/providers/doctor.ts';
import { PREFIX_LABEL, cleanupDocker, dockerLeftovers } from '../../src/providers/docker/cleanup.ts';
import { dockerClient } from '../../src/providers/docker/provider.ts';
import { GATE, SKIP, requireDocker } from './helpers.ts';

const BIN = path.join(import.meta.dirname, '..', '..', 'bin', 'faultline.js');
const results = mkdtempSync(path.join(tmpdir(), 'faultline-docker-cli-'));
const TAKEN = 'fldtaken';
const CRASH = 'fldk';

function testArgs(prefix: string, subnet: string, extra: string[] = []): string[] {
  return [
    'test', '--provider', 'docker', '--db', 'reference:raft', '--workload', 'register', '--nemesis', 'none',
    '--time-limit', '60', '--no-progress', '--results-dir', results,
    '--opt', `docker.prefix=${prefix}`, '--opt', `docker.subnet=${subnet}`, ...extra,
  ];
}

const cli = (args: string[], env: Record<string, string> = {}) => execa('node', [BIN, ...args], { reject: false, env });

/** The last line of stderr, and how many lines it has. */
function lastLine(stderr: string): { line: string; lines: number } {
  const lines = stderr.trim().split('\n');
  return { line: lines.at(-1) ?? '', lines: lines.length };
}

describe('docker provider bad input', () => {
  it('no engine reachable: one line naming the endpoint and the fix, exit 254', async () => {
    const r = await cli(testArgs('fldn', '10.214.5.0/24'), { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(r.exitCode).toBe(254);
    const { line, lines } = lastLine(r.stderr);
    expect(lines).toBe(1);
    expect(line).toMatch(/cannot reach the Docker engine at unix:\/\/\/nonexistent\/docker.sock .*start it with docker\/start-dockerd.sh/);
  });
});

describe.skipIf(SKIP)(`docker provider on the command line (${GATE})`, () => {
  const docker = dockerClient();
  beforeAll(async () => {
    requireDocker();
    await docker.createNetwork({ Name: `${TAKEN}-net`, Labels: { [PREFIX_LABEL]: TAKEN }, IPAM: { Config: [{ Subnet: '10.214.4.0/24' }] } });
  });

  afterAll(async () => {
    await cleanupDocker(docker, TAKEN);
    await cleanupDocker(docker, CRASH);
    rmSync(results, { recursive: true, force: true });
  });

  it('missing image: one line naming the build script, exit 254', async () => {
    const r = await cli(testArgs('fldi', '10.214.5.0/24', ['--opt', 'docker.image=faultline/absent:1']));
    expect(r.exitCode).toBe(254);
    const { line, lines } = lastLine(r.stderr);
    expect(lines).toBe(1);
    expect(line).toMatch(/docker image faultline\/absent:1 is missing: build it with docker\/build-images.sh/);
    expect(await dockerLeftovers(docker, 'fldi')).toEqual([]);
  });

  it('subnet already used by another docker network: one line naming it and the option, exit 254', async () => {
    const r = await cli(testArgs('flds', '10.214.4.0/24'));
    expect(r.exitCode).toBe(254);
    const { line, lines } = lastLine(r.stderr);
    expect(lines).toBe(1);
    expect(line).toMatch(/subnet 10.214.4.0\/24 is already used by docker network fldtaken-net .*--opt docker.subnet=/);
    expect(await dockerLeftovers(docker, 'flds')).toEqual([]);
  });

  it('doctor --provider docker: engine, API version, images and per-fault verdicts', async () => {
    const r = await cli(['doctor', '--provider', 'docker', '--json']);
    const report = JSON.parse(r.stdout) as DoctorReport;
    const check = (name: string) => report.checks.find((c) => c.name === name);
    expect(check('engine')?.ok).toBe(true);
    expect(check('api version')?.detail).toMatch(/^1\.\d+/);
    expect(check('node image')?.ok).toBe(true);
    const status = Object.fromEntries(report.faults.map((f) => [f.fault, f.status]));
    expect(status).toMatchObject({ partition: 'works', loss: 'works', pause: 'works', kill: 'works', clock: 'works', delay: 'fallback' });
    expect(r.exitCode).toBe(0);
    expect(await dockerLeftovers(docker, 'fldoctor')).toEqual([]);
  });

  it('cleanup --provider docker removes what a SIGKILLed run left behind', async () => {
    const child = execa('node', [BIN, ...testArgs(CRASH, '10.214.6.0/24')], { reject: false });
    let left: string[] = [];
    for (let i = 0; i < 600 && left.filter((x) => x.startsWith('container')).length < 10; i++) {
      await new Promise((r) => setTimeout(r, 100));
      left = await dockerLeftovers(docker, CRASH);
    }
    expect(left.filter((x) => x.startsWith('container')).length).toBe(10);
    child.kill('SIGKILL');
    await child;
    expect((await dockerLeftovers(docker, CRASH)).length).toBeGreaterThan(0);
    const r = await cli(['cleanup', '--provider', 'docker', '--prefix', CRASH, '--json']);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout) as { docker: { containers: string[]; networks: string[] }; ok: boolean };
    expect(out.docker.containers).toHaveLength(10);
    expect(out.docker.networks).toEqual([`${CRASH}-net`]);
    expect(await dockerLeftovers(docker, CRASH)).toEqual([]);
  }, 120_000);
});
