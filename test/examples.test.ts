// The worked examples, run as a user runs them.
// examples/redis-sentinel, a user project depending on Faultline by relative path: `npm install`
// in its directory, its type-check against the shipped declarations, a mistyped option refused
// from there (its config and --db naming the same file), and as root its own test script (no
// faults: VALID; partitions isolating the primary: INVALID, acknowledged writes lost) and the CLI
// with the parts its config registers. examples/process-node through --db process: VALID under
// partitions; INVALID when the leader, which keeps everything in memory, is killed.
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/code-paths.ts';
import { runLeftovers } from '../src/providers/local/cleanup.ts';
import { IS_ROOT, SKIP_REASON } from './local/helpers.ts';

const REDIS_EXAMPLE = path.join(PACKAGE_ROOT, 'examples', 'redis-sentinel');
const BIN = path.join(PACKAGE_ROOT, 'bin', 'faultline.js');
const results = mkdtempSync(path.join(tmpdir(), 'faultline-examples-'));
const REDIS_LOCAL = ['--opt', 'local.prefix=flrx', '--opt', 'local.subnet=10.219.20.0/24'];
const PROCESS_LOCAL = ['--opt', 'local.prefix=flpn', '--opt', 'local.subnet=10.219.21.0/24'];

const inExample = (command: string, args: string[], timeout: number) =>
  execa(command, args, { cwd: REDIS_EXAMPLE, reject: false, timeout, env: { NO_COLOR: '1' } });

afterAll(async () => {
  rmSync(results, { recursive: true, force: true });
  if (IS_ROOT) {
    expect(await runLeftovers('flrx')).toEqual([]);
    expect(await runLeftovers('flpn')).toEqual([]);
  }
});

describe('examples/redis-sentinel, a project of its own', () => {
  beforeAll(async () => {
    const r = await inExample('npm', ['install', '--no-audit', '--no-fund'], 300_000);
    expect(r.exitCode, r.stderr).toBe(0);
  }, 300_000);

  it('type-checks against the declarations Faultline ships', async () => {
    const r = await inExample('npm', ['run', 'typecheck'], 120_000);
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
  }, 120_000);

  it('a mistyped option of its DB is refused with a did-you-mean, its config and --db naming one module', async () => {
    const r = await inExample('npx', ['--no-install', 'faultline', 'test', '--db', './redis.ts', '--opt', 'redis.down-after=5'], 60_000);
    expect(r.stderr).toContain('Did you mean --opt redis.down-after-ms?');
    expect(r.exitCode).toBe(254);
  }, 60_000);

  it.skipIf(!IS_ROOT)(`its own test: VALID without faults, INVALID when partitions isolate the primary (${IS_ROOT ? 'root' : SKIP_REASON})`, async () => {
    const r = await inExample('npm', ['test', '--', ...REDIS_LOCAL, '--results-dir', results], 300_000);
    expect(r.stdout).toContain('redis-no-faults: VALID, expected VALID');
    expect(r.stdout).toContain('redis-partition: INVALID, expected INVALID');
    expect(r.exitCode).toBe(0);
    const partitionRun = /redis-partition: INVALID, expected INVALID \((.*)\)/.exec(r.stdout)![1]!;
    const checked = JSON.parse(readFileSync(path.join(partitionRun, 'results.json'), 'utf8')) as { checkers: Record<string, { valid: unknown; anomalyTypes?: string[] }> };
    expect(checked.checkers['linearizable']).toMatchObject({ valid: false, anomalyTypes: ['nonlinearizable'] });
  }, 300_000);

  it.skipIf(!IS_ROOT)(`the CLI in its directory runs the parts its config registers by name (${IS_ROOT ? 'root' : SKIP_REASON})`, async () => {
    const args = ['--db', 'redis', '--nemesis', 'failover', '--checker', 'slow-ops', '--nodes', '3', '--time-limit', '12', '--nemesis-interval', '4', '--opt', 'nemesis.spacing=fixed'];
    const r = await inExample('npx', ['--no-install', 'faultline', 'test', ...args, '--no-progress', '--results-dir', results, ...REDIS_LOCAL], 180_000);
    const runDir = /run directory: (.*)/.exec(r.stderr)![1]!;
    const checked = JSON.parse(readFileSync(path.join(runDir, 'results.json'), 'utf8')) as { checkers: Record<string, { valid: unknown }> };
    expect(Object.keys(checked.checkers)).toContain('slow-ops');
    const history = readFileSync(path.join(runDir, 'history.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { f: string; type: string });
    expect(history.some((op) => op.f === 'start-failover' && op.type === 'ok')).toBe(true);
  }, 180_000);
});

describe.skipIf(!IS_ROOT)(`examples/process-node through --db process (${IS_ROOT ? 'root' : SKIP_REASON})`, () => {
  const cmd = 'process.cmd=node examples/process-node/node.mjs --id {node} --listen {listen} --peers {peers}';
  const test = (args: string[]) =>
    execa('node', [BIN, 'test', '--db', 'process', '--nodes', '3', '--time-limit', '12', '--nemesis-interval', '3', '--no-progress', '--results-dir', results, '--opt', cmd, ...PROCESS_LOCAL, ...args], {
      cwd: PACKAGE_ROOT, reject: false, timeout: 120_000,
    });

  it('one copy of the data, served by the leader every node names, is linearizable under partitions', async () => {
    const r = await test(['--workload', 'register', '--nemesis', 'partition']);
    expect(r.stderr).toMatch(/^VALID$/m);
    expect(r.exitCode).toBe(0);
  }, 120_000);

  it('kept in memory only, it loses acknowledged appends when the leader is killed (at 3 s, back at 6 s)', async () => {
    // Keys live through the whole run (no retirement after 32 appends), so the appends acknowledged
    // before the kill are read again after the restart, whatever the op rate.
    const r = await test(['--workload', 'list-append', '--nemesis', 'kill', '--opt', 'nemesis.targets=primaries', '--opt', 'nemesis.spacing=fixed', '--opt', 'list-append.max-writes-per-key=100000']);
    expect(r.stderr).toMatch(/^INVALID$/m);
    expect(r.exitCode).toBe(1);
  }, 120_000);
});
