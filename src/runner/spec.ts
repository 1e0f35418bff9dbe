/**
 * The defaults of a test given by names, in one place: the CLI's flag defaults and a library
 * user's `testSpec({ db, workload })` both come from here.
 */
import { resolve } from 'node:path';
import type { TestSpec } from '../core/test.ts';

export const SPEC_DEFAULTS = {
  nemesis: ['partition', 'kill'],
  checkers: [],
  nemesisIntervalS: 10,
  nodeCount: 5,
  concurrency: 10,
  timeLimitS: 60,
  rate: 100,
  opTimeoutMs: 5000,
  recoveryS: 5,
  bug: [],
  resultsDir: 'results',
  checkerTimeS: 300,
} as const;

/**
 * A TestSpec with every field not given set to its default (a random seed; nodes n1..n5; no
 * faults unless `nemesis` is given; the provider is chosen when planned: the db's first).
 *
 * @example
 * const spec = testSpec({ db: 'inprocess:atom', workload: 'register', provider: 'none', timeLimitS: 5 });
 */
export function testSpec(p: Partial<TestSpec> & Pick<TestSpec, 'db' | 'workload'>): TestSpec {
  const nodes = p.nodes ?? Array.from({ length: SPEC_DEFAULTS.nodeCount }, (_, i) => `n${i + 1}`);
  return {
    name: p.name ?? `${p.db}-${p.workload}`.replace(/^.*\//, '').replace(/[^\w.-]+/g, '-'),
    nemesis: [],
    checkers: [],
    nemesisIntervalS: SPEC_DEFAULTS.nemesisIntervalS,
    concurrency: SPEC_DEFAULTS.concurrency,
    timeLimitS: SPEC_DEFAULTS.timeLimitS,
    rate: SPEC_DEFAULTS.rate,
    opTimeoutMs: SPEC_DEFAULTS.opTimeoutMs,
    recoveryS: SPEC_DEFAULTS.recoveryS,
    seed: Math.floor(Math.random() * 2 ** 31),
    bug: [],
    checkerTimeS: SPEC_DEFAULTS.checkerTimeS,
    options: {},
    ...p,
    nodes,
    resultsDir: resolve(p.resultsDir ?? SPEC_DEFAULTS.resultsDir),
  };
}
