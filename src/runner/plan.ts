/**
 * Turns test options into a runnable plan: resolves the DB, workload, provider and nemesis by
 * name and refuses impossible combinations up front, before anything is set up.
 */
import type { Checker } from '../core/checker.ts';
import type { TestOptions } from '../core/test.ts';
import { UsageError } from '../core/errors.ts';
import { dbEntry } from '../db/index.ts';
import { workloadEntry } from '../../workloads/index.ts';
import { compose } from '../../checkers/compose.ts';
import { standardCheckers } from '../../checkers/index.ts';
import { VERSION } from '../cli/version.ts';
import type { TestPlan } from './run-test.ts';

/** The checker of a run: the workload's own checkers plus the standard ones. */
export function runChecker(workloadChecker: Checker): Checker {
  const parts = 'parts' in workloadChecker ? (workloadChecker.parts as Checker[]) : [workloadChecker];
  const names = new Set(parts.map((c) => c.name));
  return compose([...parts, ...standardCheckers().filter((c) => !names.has(c.name))]);
}

export function planTest(o: TestOptions, replayArgv: readonly string[]): TestPlan {
  const db = dbEntry(o.db);
  if (!db.providers.includes(o.provider)) {
    throw new UsageError(`db ${o.db} runs on provider ${db.providers.join(' or ')}, not ${JSON.stringify(o.provider)}; use --provider ${db.providers[0]}`);
  }
  for (const bug of o.bug) {
    if (!(bug in db.bugs)) {
      const known = Object.keys(db.bugs);
      throw new UsageError(`db ${o.db} has no bug flag ${JSON.stringify(bug)}; ${known.length ? `known: ${known.join(', ')}` : 'it has no bug flags'}`);
    }
  }
  if (!db.workloads.includes(o.workload)) {
    throw new UsageError(`db ${o.db} cannot serve workload ${JSON.stringify(o.workload)}; it serves: ${db.workloads.join(', ')}`);
  }
  const workload = workloadEntry(o.workload).make(o);
  if (o.nemesis.length > 0 && o.provider === 'none') {
    throw new UsageError(`nemesis ${o.nemesis.join(',')} needs a cluster, but db ${o.db} runs in-process; use --nemesis none`);
  }
  if (o.provider !== 'none') {
    throw new UsageError(`provider ${JSON.stringify(o.provider)} is not available in this build; use --provider none with an in-process db`);
  }
  const instance = db.make(o);
  const clientFactory = instance.client(o.workload);
  if (!clientFactory) throw new UsageError(`db ${o.db} has no client for workload ${o.workload}`);
  return {
    options: o,
    replayArgv,
    provider: null,
    db: instance.db,
    clientFactory,
    workload,
    nemesis: null,
    checker: runChecker(workload.checker),
    versions: { faultline: VERSION, node: process.version },
  };
}
