// etcd under the membership nemesis, whole runs through the runner on 5 local nodes: members are
// removed (etcd's member remove, the node stopped and wiped) and added back (member add, a fresh
// data directory, --initial-cluster-state existing) while clients run, alone and with kills; the
// register stays linearizable, the nemesis ops record every change, etcd's own logs show the same
// removals and additions, the last change leaves all five nodes members, and nothing is left behind.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestSpec } from '../../src/core/test.ts';
import { runLeftovers } from '../../src/providers/local/cleanup.ts';
import { SILENT } from '../../src/runner/context.ts';
import { runTest } from '../../src/runner/run-test.ts';
import { planNamed } from '../plan-helpers.ts';
import { SKIP_REASON } from './helpers.ts';

const PREFIX = 'fem';
const NODES = ['n1', 'n2', 'n3', 'n4', 'n5'];
const resultsDir = mkdtempSync(path.join(tmpdir(), 'faultline-etcd-membership-'));

function spec(name: string, nemesis: string[], seed: number): TestSpec {
  return {
    name,
    db: 'etcd',
    workload: 'register',
    nemesis,
    nemesisIntervalS: 3,
    provider: 'local',
    nodes: NODES,
    concurrency: 10,
    timeLimitS: 30,
    rate: 100,
    // Nemesis ops share the op timeout: adding a member back waits for etcd's quorum check (the
    // leader must have heard from every voting member for 5 s) and for the new member to be ready.
    opTimeoutMs: 15_000,
    recoveryS: 2,
    seed,
    bug: [],
    resultsDir,
    checkerTimeS: 120,
    options: { 'local.prefix': PREFIX, 'local.subnet': '10.231.1.0/24' },
  };
}

interface NemesisEvent {
  process: unknown;
  type: string;
  f: string;
  value: { removed?: string; added?: string[]; members?: string[] } | null;
}

function nemesisCompletions(runDir: string): NemesisEvent[] {
  const lines = readFileSync(path.join(runDir, 'history.jsonl'), 'utf8').trim().split('\n');
  return lines.map((l) => JSON.parse(l) as NemesisEvent).filter((e) => e.process === 'nemesis' && e.type !== 'invoke' && e.f.endsWith('-membership'));
}

/** Distinct member IDs etcd's logs (every node's) say were removed from / added to the cluster. */
function loggedChanges(runDir: string): { removed: Set<string>; added: Set<string> } {
  const removed = new Set<string>();
  const added = new Set<string>();
  for (const node of NODES) {
    const log = readFileSync(path.join(runDir, 'nodes', node, 'etcd.log'), 'utf8');
    for (const m of log.matchAll(/removed member ([0-9a-f]+) from cluster/g)) removed.add(m[1]!);
    for (const m of log.matchAll(/added member ([0-9a-f]+) \[[^\]]*\] to cluster/g)) added.add(m[1]!);
  }
  return { removed, added };
}

async function runAndCheck(name: string, nemesis: string[], seed: number): Promise<void> {
  const out = await runTest(await planNamed(spec(name, nemesis, seed)), { log: SILENT });
  const ops = nemesisCompletions(out.runDir);
  console.log(`${name}: valid ${String(out.valid)}; membership ops ${JSON.stringify(ops.map((o) => [o.f, o.type, o.value]))}; errors ${JSON.stringify(out.errors)}`);
  expect(out.errors, `run errors: ${out.errors.join('; ')}`).toEqual([]);
  expect(out.valid).toBe(true);

  // Replaying the recorded changes: some member was removed, every removed node came back.
  const removals = ops.filter((o) => o.f === 'start-membership' && o.type === 'ok').map((o) => o.value!.removed!);
  const additions = ops.filter((o) => o.f === 'stop-membership' && o.type === 'ok').flatMap((o) => o.value!.added!);
  expect(removals.length).toBeGreaterThan(0);
  expect([...additions].sort()).toEqual([...removals].sort());
  const last = ops.filter((o) => o.type === 'ok' && o.value?.members).at(-1)!;
  expect(last.f).toBe('stop-membership');
  expect(last.value!.members).toEqual(NODES);

  // etcd itself saw as many removals, and as many additions beyond the five founding members.
  const logged = loggedChanges(out.runDir);
  expect(logged.removed.size).toBe(removals.length);
  expect(logged.added.size).toBe(NODES.length + additions.length);
  expect(await runLeftovers(PREFIX)).toEqual([]);
}

describe.skipIf(SKIP_REASON !== undefined)(`etcd membership change (${SKIP_REASON ?? 'root, etcd present'})`, () => {
  afterAll(async () => {
    rmSync(resultsDir, { recursive: true, force: true });
    expect(await runLeftovers(PREFIX)).toEqual([]);
  });

  it('members removed and added back while clients run: linearizable, all five members at the end', async () => {
    await runAndCheck('etcd-membership', ['membership'], 1);
  }, 300_000);

  it('with kills too: linearizable, all five members at the end', async () => {
    await runAndCheck('etcd-membership-kill', ['kill', 'membership'], 2);
  }, 300_000);
});
