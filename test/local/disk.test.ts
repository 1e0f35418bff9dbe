// Disk faults on real local clusters, through the fault filesystem: the raft store that skips
// fsync (lazy-fsync) loses acknowledged appends in a whole-cluster power failure and the checkers
// say so, the correct store survives it, every disk fault kind applies, heals and unmounts, and
// nothing of the fault filesystems is left mounted.
import { execa } from 'execa';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAULTFS_SKIP } from '../../src/disk/test-fixture.ts';
import { runLeftovers } from '../../src/providers/local/cleanup.ts';
import { IS_ROOT, SKIP_REASON } from './helpers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'faultline.js');
const PREFIX = 'fldk';
const results = mkdtempSync(join(tmpdir(), 'fl-disk-'));

async function run(extra: string[]): Promise<{ exitCode: number | undefined; doc: Record<string, unknown>; stderr: string }> {
  const r = await execa('node', [BIN, 'test', '--db', 'reference:raft', '--time-limit', '20', '--nemesis-interval', '4',
    '--results-dir', results, '--json', '--no-progress', '--opt', `local.prefix=${PREFIX}`, '--opt', 'local.subnet=10.222.2.0/24', ...extra], { reject: false, timeout: 240_000 });
  return { exitCode: r.exitCode, doc: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr };
}

const skip = !IS_ROOT ? SKIP_REASON : FAULTFS_SKIP;

/** Each checker's verdict and anomalies, and how many power losses took effect: what a failed expectation shows. */
function verdicts(doc: Record<string, unknown>): string {
  const checkers = (doc['checkers'] ?? {}) as Record<string, { valid: unknown; anomalyTypes?: string[]; kinds?: Record<string, { windows: number }> }>;
  const found = Object.entries(checkers).map(([name, c]) => `${name} ${String(c.valid)}${c.anomalyTypes?.length ? ` (${c.anomalyTypes.join(', ')})` : ''}`);
  return `${found.join('; ')}; power losses that took effect: ${checkers['fault-coverage']?.kinds?.['power-loss']?.windows ?? 0}`;
}

/**
 * The power-loss runs use list-append on three keys that are never retired, not the register: a
 * register shows a lost write only when a read lands between the restart and the next successful
 * write (a later blind write hides it: one run in four came out valid), and list-append's default
 * keys retire after 32 appends, so the keys read after a restart may be new ones that hide
 * nothing. Every read of a long-lived list must extend the reads before it: a list that lost its
 * un-fsynced appends shows at its next read.
 */
const POWER_LOSS_WORKLOAD = ['--workload', 'list-append', '--opt', 'list-append.key-count=3', '--opt', 'list-append.key-distribution=uniform', '--opt', 'list-append.max-writes-per-key=100000'];

describe.skipIf(skip !== undefined)(`disk faults on a local cluster (${skip ?? 'root, fuse'})`, () => {
  it('lazy-fsync loses acknowledged writes in a whole-cluster power failure: INVALID', async () => {
    const r = await run([...POWER_LOSS_WORKLOAD, '--bug', 'lazy-fsync', '--nemesis', 'power-loss', '--opt', 'nemesis.targets=all', '--seed', '1']);
    expect(r.doc['outcome'], verdicts(r.doc)).toBe('invalid');
    expect(r.exitCode).toBe(1);
    expect(await runLeftovers(PREFIX)).toEqual([]);
  }, 300_000);

  it('the correct store keeps every acknowledged write through the same power failures: VALID', async () => {
    const r = await run([...POWER_LOSS_WORKLOAD, '--nemesis', 'power-loss', '--opt', 'nemesis.targets=all', '--seed', '1']);
    const coverage = (r.doc['checkers'] as Record<string, { kinds?: Record<string, { windows: number }> }>)['fault-coverage']!;
    expect(coverage.kinds?.['power-loss']?.windows).toBeGreaterThan(0);
    expect(r.doc['outcome'], verdicts(r.doc)).toBe('valid');
    expect(r.exitCode).toBe(0);
  }, 300_000);

  it('every disk fault kind applies and heals, and nothing stays mounted', async () => {
    const r = await run(['--workload', 'register', '--nemesis', 'disk-errors,slow-disk,full-disk,bitflip', '--opt', 'disk-errors.ops=read', '--seed', '2']);
    const history = readFileSync(join(String(r.doc['runDir']), 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { process: unknown; type: string; f: string });
    const applied = new Set(history.filter((op) => op.process === 'nemesis' && op.type === 'ok' && op.f.startsWith('start-')).map((op) => op.f));
    expect([...applied].sort()).toEqual(['start-bitflip', 'start-disk-errors', 'start-full-disk', 'start-slow-disk']);
    expect(r.doc['end']).toEqual({ reason: 'completed' });
    expect(await runLeftovers(PREFIX)).toEqual([]);
  }, 300_000);
});
