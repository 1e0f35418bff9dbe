/**
 * Turns test options into a runnable plan: resolves the DB, workload, provider and nemesis by
 * name and refuses impossible combinations up front, before anything is set up.
 */
import type { Checker } from '../core/checker.ts';
import type { DbContext } from '../core/db.ts';
import type { FaultStyle } from '../core/nemesis.ts';
import type { Provider } from '../core/provider.ts';
import type { TestOptions } from '../core/test.ts';
import { UsageError } from '../core/errors.ts';
import { localProvider } from '../providers/local/provider.ts';
import { readInventory } from '../providers/ssh/inventory.ts';
import { SSH_CLOCK_MODES, sshProvider, type SshClockMode } from '../providers/ssh/provider.ts';
import { dockerProvider } from '../providers/docker/provider.ts';
import { makeNemesisPackage, nemesisOptions, readSchedule } from '../../nemeses/index.ts';
import { dbEntry } from '../db/index.ts';
import { workloadEntry } from '../../workloads/index.ts';
import { compose } from '../../checkers/compose.ts';
import { standardCheckers } from '../../checkers/index.ts';
import { VERSION } from '../cli/version.ts';
import type { TestPlan } from './run-test.ts';
import { faultCheckers } from './fault-checkers.ts';

/**
 * The checker of a run: the workload's own checkers, the standard ones, and for runs with faults
 * (nemesis ops in the history) fault coverage and availability.
 */
export function runChecker(workloadChecker: Checker, withFaults: boolean, styles?: readonly FaultStyle[]): Checker {
  const parts = 'parts' in workloadChecker ? (workloadChecker.parts as Checker[]) : [workloadChecker];
  const extra = [...standardCheckers(), ...(withFaults ? faultCheckers(styles) : [])];
  const names = new Set(parts.map((c) => c.name));
  return compose([...parts, ...extra.filter((c) => !names.has(c.name))]);
}

/** The provider for a test; "none" runs in-process stores without a cluster. */
async function makeProvider(o: TestOptions): Promise<Provider | null> {
  switch (o.provider) {
    case 'none':
      return null;
    case 'local': {
      o.nodes.forEach((n, i) => {
        if (n !== `n${i + 1}`) throw new UsageError(`the local provider names its nodes n1..n${o.nodes.length}; use --nodes ${o.nodes.length}`);
      });
      const prefix = o.options['local.prefix'];
      const subnet = o.options['local.subnet'];
      return localProvider({ nodes: o.nodes.length, ...(prefix ? { prefix } : {}), ...(subnet ? { subnet } : {}) });
    }
    case 'ssh': {
      if (!o.inventory) throw new UsageError('the ssh provider needs --inventory FILE listing the hosts (see `faultline doctor --help`)');
      const inventory = await readInventory(o.inventory);
      const names = inventory.nodes.map((n) => n.name);
      if (names.join(',') !== o.nodes.join(',')) {
        throw new UsageError(`--nodes ${o.nodes.join(',')} does not match the inventory's hosts ${names.join(',')}; use --nodes ${names.join(',')}`);
      }
      const prefix = o.options['ssh.prefix'];
      const clock = o.options['ssh.clock'] ?? 'none';
      if (!(SSH_CLOCK_MODES as readonly string[]).includes(clock)) {
        throw new UsageError(`--opt ssh.clock must be one of ${SSH_CLOCK_MODES.join(', ')}, got ${JSON.stringify(clock)}`);
      }
      return sshProvider({ inventory, clock: clock as SshClockMode, ...(prefix ? { prefix } : {}) });
    }
    case 'docker': {
      o.nodes.forEach((n, i) => {
        if (n !== `n${i + 1}`) throw new UsageError(`the docker provider names its nodes n1..n${o.nodes.length}; use --nodes ${o.nodes.length}`);
      });
      const opt = (k: string): string | undefined => o.options[`docker.${k}`];
      const [prefix, subnet, image] = [opt('prefix'), opt('subnet'), opt('image')];
      const provider = dockerProvider({ nodes: o.nodes.length, shared: [o.resultsDir], ...(prefix ? { prefix } : {}), ...(subnet ? { subnet } : {}), ...(image ? { image } : {}) });
      await provider.preflight();
      return provider;
    }
    default:
      throw new UsageError(`provider ${JSON.stringify(o.provider)} is not available; use local, ssh, docker or none`);
  }
}

export async function planTest(o: TestOptions, replayArgv: readonly string[]): Promise<TestPlan> {
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
  const instance = db.make(o);
  const clientFactory = instance.client(o.workload);
  if (!clientFactory) throw new UsageError(`db ${o.db} has no client for workload ${o.workload}`);
  const dbContext: { current: DbContext | null } = { current: null };
  const schedule = o.replaySchedule ? await readSchedule(o.replaySchedule) : undefined;
  const nemesis = makeNemesisPackage(o.nemesis, {
    nodes: o.nodes,
    ...(instance.db ? { db: instance.db } : {}),
    dbContext: () => {
      if (!dbContext.current) throw new Error('the cluster is not up yet');
      return dbContext.current;
    },
    intervalS: o.nemesisIntervalS,
    seed: o.seed,
    provider: o.provider,
    ...nemesisOptions(o.options),
    ...(schedule ? { schedule } : {}),
  });
  const provider = await makeProvider(o);
  await instance.prepare?.();
  return {
    options: o,
    replayArgv,
    provider,
    db: instance.db,
    dbContext,
    clientFactory,
    workload,
    nemesis,
    checker: runChecker(workload.checker, nemesis !== null, nemesis?.styles),
    versions: { faultline: VERSION, node: process.version },
  };
}
