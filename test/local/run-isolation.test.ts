// Runs are isolated, for real: while one `faultline test` runs the raft store on a local cluster, a
// second run on the same prefix, and a third on the same subnet, are refused at once (exit 254,
// naming the first run's controller, nothing set up, no run directory); the first run is unharmed,
// ends VALID and leaves nothing behind (namespaces, locks, work directory). A provider refused in
// `up` (a run that slipped past the check before set-up) removes nothing of the holder's in
// `down`: not its namespaces, not its work directory, not its locks.
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { run } from '../../src/control/run.ts';
import { dockerProvider } from '../../src/providers/docker/provider.ts';
import { localProvider } from '../../src/providers/local/provider.ts';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupRun, runLeftovers } from '../../src/providers/local/cleanup.ts';
import { RunLockHeld, acquireRunLock, listRunLocks, removeStaleLocks } from '../../src/providers/run-lock.ts';
import { IS_ROOT, SKIP_REASON } from './helpers.ts';

const PREFIX = 'fib';
const OTHER_PREFIX = 'fic';
const SUBNET = '10.221.2.0/24';
const OTHER_SUBNET = '10.221.3.0/24';
const HELD = 'fid';
const BIN = fileURLToPath(new URL('../../bin/faultline.js', import.meta.url));

function testRun(resultsDir: string, prefix: string, subnet: string, timeLimitS: number) {
  return execa(
    'node',
    [BIN, 'test', '--db', 'reference:raft', '--workload', 'register', '--nemesis', 'none', '--nodes', '3', '--time-limit', String(timeLimitS),
      '--recovery', '1', '--results-dir', resultsDir, '--no-progress', '--json', '--opt', `local.prefix=${prefix}`, '--opt', `local.subnet=${subnet}`],
    { reject: false },
  );
}

/** Resolves once the run's log says its workload is running. */
function whenRunning(child: ReturnType<typeof testRun>): Promise<void> {
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (/running register for/.test(err)) resolve();
    });
    void child.then((r) => reject(new Error(`the first run ended before it ran: exit ${r.exitCode}: ${err}`)));
  });
}

describe.skipIf(!IS_ROOT)(`two runs on one prefix or subnet (${IS_ROOT ? 'root' : SKIP_REASON})`, () => {
  let work = '';
  let first: ReturnType<typeof testRun> | undefined;
  afterAll(async () => {
    if (first && first.exitCode === null) {
      first.kill('SIGKILL');
      await first;
    }
    for (const p of [PREFIX, OTHER_PREFIX, HELD]) {
      await cleanupRun(p);
      await removeStaleLocks(p);
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('the second run is refused at once naming the first; the first is unharmed and VALID', async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'faultline-isolation-'));
    first = testRun(path.join(work, 'first'), PREFIX, SUBNET, 12);
    await whenRunning(first);

    const samePrefix = await testRun(path.join(work, 'same-prefix'), PREFIX, OTHER_SUBNET, 5);
    const sameSubnet = await testRun(path.join(work, 'same-subnet'), OTHER_PREFIX, SUBNET, 5);
    // Both were refused while the first run was still going.
    expect(first.exitCode).toBeNull();
    const holder = `controller pid ${first.pid} \\(local run ${PREFIX}\\) since \\S+, command: \\S*node \\S*faultline\\.js test `;
    expect(samePrefix.exitCode).toBe(254);
    expect(samePrefix.stderr).toMatch(new RegExp(`prefix ${PREFIX} is in use by another run: ${holder}.*; wait for it to end, or pick another prefix with --opt local\\.prefix=P`));
    expect(sameSubnet.exitCode).toBe(254);
    expect(sameSubnet.stderr).toMatch(new RegExp(`subnet 10\\.221\\.2\\.0/24 is in use by another run: ${holder}.*; wait for it to end, or pick another subnet with --opt local\\.subnet=A\\.B\\.C\\.0/24`));
    for (const refused of ['same-prefix', 'same-subnet']) expect(await stat(path.join(work, refused)).then(() => true, () => false)).toBe(false);
    expect(await runLeftovers(OTHER_PREFIX)).toEqual([]);

    const done = await first;
    const outcome = JSON.parse(done.stdout) as { valid: unknown; runDir: string };
    expect(done.exitCode).toBe(0);
    expect(outcome.valid).toBe(true);
    expect(await readdir(outcome.runDir)).toContain('history.jsonl');
    expect(await runLeftovers(PREFIX)).toEqual([]);
    expect((await listRunLocks()).filter((l) => [PREFIX, OTHER_PREFIX].includes(l.holder.prefix))).toEqual([]);
    expect(await stat(`/tmp/faultline-${PREFIX}`).then(() => true, () => false)).toBe(false);
  }, 240_000);

  it('a provider refused in up removes nothing of the holder in down', async () => {
    const lock = await acquireRunLock({ prefix: HELD, subnet: '10.221.6.0/24', provider: 'local' }, { log: () => {} });
    try {
      // What the holder's run has: a namespace and a work directory.
      await run(['ip', 'netns', 'add', `${HELD}-n1`]);
      await mkdir(`/tmp/faultline-${HELD}/logs`, { recursive: true });
      const locks = await listRunLocks();
      for (const provider of [
        localProvider({ prefix: HELD, subnet: '10.221.7.0/24', nodes: 1, log: () => {} }),
        // No engine behind this socket: a provider that tried to remove anything would fail.
        dockerProvider({ prefix: 'fie', subnet: '10.221.6.0/24', nodes: 1, socketPath: '/nonexistent/docker.sock', log: () => {} }),
      ]) {
        const refusal = await provider.up().then(() => undefined, (e: unknown) => e);
        expect(refusal).toBeInstanceOf(RunLockHeld);
        await provider.down();
      }
      expect(await runLeftovers(HELD)).toEqual([`namespace ${HELD}-n1`]);
      expect(await stat(`/tmp/faultline-${HELD}/logs`).then(() => true, () => false)).toBe(true);
      expect(await listRunLocks()).toEqual(locks);
    } finally {
      await lock.release();
    }
  });
});
