/**
 * Turns a test given as names (a TestSpec: what `faultline test` flags say) into a runnable Test:
 * looks every part up in the registries (Faultline's own, config files, module paths), parses
 * every `--opt` against the schemas of exactly the parts chosen, and refuses impossible
 * combinations up front, before anything is set up or installed.
 */
import type { Checker } from '../core/checker.ts';
import type { Logger, TestInfo } from '../core/context.ts';
import type { CheckerDefinition, DbDefinition, NemesisDefinition, PartDefinition, ProviderDefinition, WorkloadDefinition } from '../core/parts.ts';
import type { Test, TestSpec } from '../core/test.ts';
import { UsageError } from '../core/errors.ts';
import { parseOptions, type OptionOwner } from '../options/parse.ts';
import { builtinParts, optionPrefix, type Parts } from '../plugins/registry.ts';
import { createLogger } from './logger.ts';
import { packagesOf, type CapabilityName } from '../setup/capabilities.ts';
import { makeNemesisPackage, NEMESIS_PACKAGE_OPTIONS, readSchedule, scheduleKinds, type Schedule } from '../../nemeses/index.ts';
import { VERSION } from '../version.ts';
import { runChecker } from './check-run.ts';
import { loadTopology } from '../topology/load.ts';
import type { Topology } from '../core/topology.ts';

/** Providers a DB runs on when its definition does not say: every one with a cluster. */
const CLUSTER_PROVIDERS = (p: ProviderDefinition): boolean => !p.inProcess;

interface ChosenParts {
  db: DbDefinition;
  workload: WorkloadDefinition;
  provider: ProviderDefinition;
  nemeses: NemesisDefinition[];
  checkers: CheckerDefinition[];
  schedule?: Schedule;
}

/** Looks every named part up; the replayed schedule's fault kinds join the nemeses. */
async function choose(spec: TestSpec, parts: Parts): Promise<ChosenParts> {
  const db = await parts.dbs.get(spec.db);
  const workload = await parts.workloads.get(spec.workload);
  const provider = await parts.providers.get(spec.provider ?? db.providers?.[0] ?? 'local');
  const schedule = spec.replaySchedule ? await readSchedule(spec.replaySchedule) : undefined;
  const nemesisNames = [...new Set([...spec.nemesis, ...(schedule ? scheduleKinds(schedule) : [])])];
  const nemeses = await Promise.all(nemesisNames.map((n) => parts.nemeses.get(n)));
  const checkers = await Promise.all((spec.checkers ?? []).map((n) => parts.checkers.get(n)));
  return { db, workload, provider, nemeses, checkers, ...(schedule ? { schedule } : {}) };
}

function owner(kind: string, d: PartDefinition): OptionOwner {
  return { part: `${kind} ${d.name}`, prefix: optionPrefix(d), schema: d.options ?? {} };
}

function refuseCombinations(spec: TestSpec, c: ChosenParts): void {
  const { db, workload, provider } = c;
  const runsOn = db.providers ? db.providers.includes(provider.name) : CLUSTER_PROVIDERS(provider);
  if (!runsOn) {
    const where = db.providers ?? ['a provider with a cluster (local, ssh, docker)'];
    throw new UsageError(`db ${db.name} runs on provider ${where.join(' or ')}, not ${JSON.stringify(provider.name)}${db.providers ? `; use --provider ${db.providers[0]}` : ''}`);
  }
  for (const bug of spec.bug) {
    const known = Object.keys(db.bugs ?? {});
    if (!known.includes(bug)) throw new UsageError(`db ${db.name} has no bug flag ${JSON.stringify(bug)}; ${known.length ? `known: ${known.join(', ')}` : 'it has no bug flags'}`);
  }
  const ops = workload.sameOpsAs ?? workload.name;
  if (!db.workloads.includes(ops)) {
    const like = ops === workload.name ? '' : ` (its ops are ${ops}'s)`;
    throw new UsageError(`db ${db.name} cannot serve workload ${JSON.stringify(workload.name)}${like}; it serves: ${db.workloads.join(', ')}`);
  }
  if (provider.numberedNodes) {
    spec.nodes.forEach((n, i) => {
      if (n !== `n${i + 1}`) {
        throw new UsageError(`--nodes ${spec.nodes.join(',')}: the ${provider.name} provider takes a node count (e.g. --nodes 3) and names its nodes n1..nN itself; node names are for the ssh provider only`);
      }
    });
  }
}

export interface PlanOptions {
  /** Where names are looked up (default: Faultline's own parts). */
  parts?: Parts;
  /** Where deprecation lines go (default: stderr). */
  log?: Logger;
  /** May install missing Debian packages before set-up (default true; false refuses with the apt-get line). */
  install?: boolean;
  /** The command line that replays the planned test (its options in canonical spelling). */
  replayFor?: (spec: TestSpec) => readonly string[];
}

/**
 * The test ready to run: parts built, options parsed and checked, installs planned.
 *
 * @example
 * const test = await planTest(testSpec({ db: './my-db.ts', workload: 'register', nemesis: ['partition'] }));
 * const outcome = await run(test);
 */
export async function planTest(spec: TestSpec, o: PlanOptions = {}): Promise<Test> {
  const parts = o.parts ?? builtinParts();
  const io = { log: o.log ?? createLogger({ stderr: true }), install: o.install ?? true, replayFor: o.replayFor };
  const chosen = await choose(spec, parts);
  refuseCombinations(spec, chosen);
  const { db, workload, provider, nemeses, checkers } = chosen;
  const owners = {
    db: owner('db', db),
    workload: owner('workload', workload),
    provider: owner('provider', provider),
    nemeses: nemeses.map((n) => owner('nemesis', n)),
    nemesisPackage: { part: 'nemesis', prefix: 'nemesis', schema: NEMESIS_PACKAGE_OPTIONS },
    checkers: checkers.map((c) => owner('checker', c)),
  };
  const withFaults = nemeses.length > 0;
  const all = [owners.db, owners.workload, owners.provider, ...owners.nemeses, ...(withFaults ? [owners.nemesisPackage] : []), ...owners.checkers];
  const parsed = parseOptions(spec.options, all, (line) => io.log.warn(line));
  const values = (o: OptionOwner) => parsed.valuesOf(o);
  const canonicalSpec: TestSpec = { ...spec, provider: spec.provider ?? provider.name, options: parsed.canonical };
  const topology = spec.topology !== undefined ? await loadTopology(spec.topology, spec.nodes) : undefined;
  if (topology && provider.inProcess) throw new UsageError(`--topology ${spec.topology}: provider ${provider.name} has no network to delay; use a provider with a cluster (local, ssh, docker)`);
  const test: TestInfo = {
    name: spec.name, nodes: spec.nodes, concurrency: spec.concurrency, timeLimitS: spec.timeLimitS, opTimeoutMs: spec.opTimeoutMs, seed: spec.seed, options: parsed.canonical,
    ...(topology ? { topology } : {}),
  };

  const providerBuild = { options: values(owners.provider), test, resultsDir: spec.resultsDir, log: io.log };
  await provider.preflight?.(providerBuild);
  const instance = await db.create({ options: values(owners.db), test, bugs: spec.bug });
  const client = instance.client(workload.sameOpsAs ?? workload.name);
  if (!client) throw new UsageError(`db ${db.name} has no client for workload ${workload.sameOpsAs ?? workload.name}`);
  const builtWorkload = await workload.create({ options: values(owners.workload), test });
  const pkgOptions = withFaults ? parsed.valuesOf(owners.nemesisPackage as OptionOwner<typeof NEMESIS_PACKAGE_OPTIONS>) : undefined;
  const nemesis = makeNemesisPackage(nemeses, {
    nodes: spec.nodes,
    db: instance.db,
    inProcess: provider.inProcess === true,
    provider: provider.name,
    intervalS: spec.nemesisIntervalS,
    seed: spec.seed,
    test,
    ...(pkgOptions ? { spacing: pkgOptions.spacing } : {}),
    ...(pkgOptions?.targets ? { targets: pkgOptions.targets } : {}),
    options: Object.fromEntries(nemeses.map((n, i) => [n.name, values(owners.nemeses[i]!)])),
    ...(chosen.schedule ? { schedule: chosen.schedule } : {}),
  });
  const extraCheckers: Checker[] = await Promise.all(checkers.map((c, i) => c.create({ options: values(owners.checkers[i]!), test })));
  const capabilities = new Set<CapabilityName>([...(provider.capabilities ?? []), ...(db.capabilities ?? []), ...nemeses.flatMap((n) => n.capabilities ?? [])]);
  if (topology?.links.some((l) => l.oneWayMs[0] + l.oneWayMs[1] + l.jitterMs > 0)) capabilities.add('delay');
  const packages = [...new Set([...packagesOf(capabilities), ...(db.packages ?? [])])];
  const builtProvider = await provider.create(providerBuild);
  return {
    ...test,
    provider: builtProvider,
    db: instance.db,
    client,
    workload: builtWorkload,
    nemesis,
    checkers: extraCheckers,
    rate: spec.rate,
    recoveryS: spec.recoveryS,
    resultsDir: spec.resultsDir,
    checkerTimeS: spec.checkerTimeS,
    ...(spec.checkOnline !== undefined ? { checkOnline: spec.checkOnline } : {}),
    ...(spec.failFast !== undefined ? { failFast: spec.failFast } : {}),
    spec: canonicalSpec,
    ...(io.replayFor ? { replay: io.replayFor(canonicalSpec) } : {}),
    versions: { faultline: VERSION, node: process.version },
    ...(provider.installsOn !== 'none' && packages.length > 0 ? { install: { packages, on: provider.installsOn, allowed: io.install } } : {}),
  };
}

/** The checker a stored run was checked with, rebuilt from its spec and the topology it ran with (for `faultline report`). */
export async function checkerForSpec(spec: TestSpec, parts: Parts, log: Logger, topology?: Topology): Promise<Checker> {
  const chosen = await choose(spec, parts);
  const { db, workload, provider, nemeses, checkers } = chosen;
  const wl = owner('workload', workload);
  const extra = checkers.map((c) => owner('checker', c));
  const all = [owner('db', db), wl, owner('provider', provider), ...nemeses.map((n) => owner('nemesis', n)), { part: 'nemesis', prefix: 'nemesis', schema: NEMESIS_PACKAGE_OPTIONS }, ...extra];
  const parsed = parseOptions(spec.options, all, (line) => log.warn(line));
  const test: TestInfo = { name: spec.name, nodes: spec.nodes, concurrency: spec.concurrency, timeLimitS: spec.timeLimitS, opTimeoutMs: spec.opTimeoutMs, seed: spec.seed, options: parsed.canonical };
  const built = await workload.create({ options: parsed.valuesOf(wl), test });
  const styles = nemeses.map((n) => ({ name: n.name, color: n.color ?? '#D0D0D0', start: [`start-${n.name}`], stop: [`stop-${n.name}`] }));
  return runChecker({
    workload: built,
    checkers: await Promise.all(checkers.map((c, i) => c.create({ options: parsed.valuesOf(extra[i]!), test }))),
    nemesis: nemeses.length > 0 ? { styles } : null,
    ...(topology ? { topology } : {}),
  });
}
