// The short self-test as a vitest test: each CI case runs as a real `faultline test` on local
// network namespaces and must reach the verdict its design predicts. Runs last 15 seconds: in
// shorter ones no CAS of the register workload may succeed, which the stats checker reports as
// never-succeeded. Faults are spaced exactly (nemesis.spacing=fixed): with Jepsen's random
// spacing a 15 s run may get a fault of a fraction of a second, too short for a failover to
// happen, and a weak store then rightly passes. Skipped, with the reason, where namespaces
// cannot be made (not root, not Linux).
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASES } from './cases.ts';
import { cannotRunLocally, runCase } from './run-case.ts';
import { judge } from './verdict.ts';

const why = cannotRunLocally();
if (why) console.warn(`selftest skipped: ${why}`);

describe.skipIf(why !== undefined)('self-test (short)', () => {
  it.each(CASES.filter(c => c.short).map(c => [c.id, c] as const))('%s', async (_id, c) => {
    const out = await runCase(c, { timeLimitS: 15, seed: 1, spacing: 'fixed', resultsDir: path.join(os.tmpdir(), 'faultline-selftest-ci') });
    expect(out.error).toBeUndefined();
    const verdict = judge(c.expect, out);
    expect(verdict.pass, `${c.id}: ${verdict.reason} (run dir ${out.runDir})`).toBe(true);
  }, 180_000);
});
