/**
 * Turns a simulation given by names (what `faultline sim` flags say) into a plan: the DB's node
 * logic, the workload, the fault kinds and extra checkers looked up in the registries, every
 * `--opt` parsed against the schemas of exactly these parts and the simulator's own, and
 * impossible combinations refused before any seed runs. Each seed then builds its own fresh
 * parts from the plan (see seed-run.ts).
 */
import type { CheckerDefinition, DbDefinition, NemesisDefinition, PartDefinition, WorkloadDefinition } from '../core/parts.ts';
import type { Logger, TestInfo } from '../core/context.ts';
import type { TestSpec } from '../core/test.ts';
import { UsageError } from '../core/errors.ts';
import { STORE_OP_MAPPINGS, type StoreOpMapping } from '../db/reference/clients.ts';
import { parseOptions, type OptionOwner } from '../options/parse.ts';
import type { OptionSchema, OptionValues } from '../options/schema.ts';
import { looksLikePath } from '../plugins/load.ts';
import { optionPrefix, type Parts } from '../plugins/registry.ts';
import type { AdminCommand, NodeLogic } from '../stores/runtime.ts';
import { BUILTIN_NEMESES, NEMESIS_PACKAGE_OPTIONS } from '../../nemeses/index.ts';
import { SIM_OPTIONS } from './options.ts';
import { POWER_LOSS } from './power-loss.ts';
import type { SimEnvironment } from './environment.ts';

/** A simulation as names, option text and numbers. */
export interface SimSpec {
  /** Names the results folder of failing cases: results/<name>/<timestamp>/ (default sim-<db>-<workload>). */
  name?: string;
  db: string;
  workload: string;
  /** Fault kinds (Faultline's own); each seed uses all of them or, with sim.swarm, a subset. */
  nemesis: string[];
  /** Extra checkers (names or modules) on top of the workload's. */
  checkers: string[];
  bug: string[];
  nodes: string[];
  concurrency: number;
  /** Simulated seconds of the main phase of each seed. */
  timeLimitS: number;
  /** Client ops per simulated second over all workers (0: as fast as they go). */
  rate: number;
  opTimeoutMs: number;
  /** Simulated seconds between healing and the final reads. */
  recoveryS: number;
  /** Mean seconds between faults; absent: each seed draws its own. */
  nemesisIntervalS?: number;
  /** Options under their keys (the parts' and `sim.*`), as text. */
  options: Record<string, string>;
  /** Per-checker budget per seed, wall-clock seconds. */
  checkerTimeS: number;
  resultsDir: string;
  configs?: string[];
}

export interface SimPlan {
  /** The spec with its name and its options in canonical spelling. */
  spec: SimSpec & { name: string };
  db: DbDefinition;
  nodeLogic: NodeLogic;
  dbOptions: OptionValues<OptionSchema>;
  workload: WorkloadDefinition;
  workloadOptions: OptionValues<OptionSchema>;
  /** How the workload's ops become store requests. */
  mapping: StoreOpMapping;
  /** Faultline's definitions of the fault kinds, by name. */
  nemeses: Readonly<Record<string, NemesisDefinition>>;
  /** Options of each fault kind by name. */
  nemesisOptions: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  nemesisPackage: OptionValues<typeof NEMESIS_PACKAGE_OPTIONS>;
  checkers: { def: CheckerDefinition; options: OptionValues<OptionSchema> }[];
  sim: OptionValues<typeof SIM_OPTIONS>;
}

/**
 * Fault kinds that act through the DB's own operator commands (a membership change, a shard
 * move): the simulator drives them when the DB's node logic takes the command (its
 * `adminCommands`), through the same operator code a real run uses.
 */
const ADMIN_KINDS: Readonly<Record<string, AdminCommand>> = { membership: 'members', rebalance: 'rebalance' };

/** The fault kinds the simulator injects: Faultline's own, of the disk kinds only power-loss. */
const SIMULATED_KINDS = BUILTIN_NEMESES.filter((d) => !d.capabilities?.includes('disk') || d.name === POWER_LOSS).map((d) => d.name);

const SIM_OWNER: OptionOwner<typeof SIM_OPTIONS> = { part: 'sim', prefix: 'sim', schema: SIM_OPTIONS };
const PACKAGE_OWNER: OptionOwner<typeof NEMESIS_PACKAGE_OPTIONS> = { part: 'nemesis', prefix: 'nemesis', schema: NEMESIS_PACKAGE_OPTIONS };

function owner(kind: string, d: PartDefinition): OptionOwner {
  return { part: `${kind} ${d.name}`, prefix: optionPrefix(d), schema: d.options ?? {} };
}

/** The simulatable DBs, for messages. */
async function simulatable(parts: Parts): Promise<string> {
  return (await parts.dbs.all()).filter((d) => d.nodeLogic).map((d) => d.name).join(', ');
}

export async function planSim(spec: SimSpec, parts: Parts, log: Logger): Promise<SimPlan> {
  const db = await parts.dbs.get(spec.db);
  const nodeLogic = typeof db.nodeLogic === 'function' ? await db.nodeLogic() : db.nodeLogic;
  if (!nodeLogic) {
    throw new UsageError(`db ${db.name} has no node logic the simulator can run (see docs/simulation.md); simulatable: ${await simulatable(parts)}`);
  }
  const workload = await parts.workloads.get(spec.workload);
  const ops = workload.sameOpsAs ?? workload.name;
  const mapping = STORE_OP_MAPPINGS[ops];
  if (!mapping) throw new UsageError(`faultline sim drives the store workloads ${Object.keys(STORE_OP_MAPPINGS).join(', ')} (and workloads with their ops); not ${JSON.stringify(workload.name)}`);
  if (!db.workloads.includes(ops)) throw new UsageError(`db ${db.name} cannot serve workload ${JSON.stringify(workload.name)}; it serves: ${db.workloads.join(', ')}`);
  const known = Object.keys(db.bugs ?? {});
  for (const bug of spec.bug) {
    if (!known.includes(bug)) throw new UsageError(`db ${db.name} has no bug flag ${JSON.stringify(bug)}; ${known.length ? `known: ${known.join(', ')}` : 'it has no bug flags'}`);
  }
  const nemeses: NemesisDefinition[] = spec.nemesis.map((n) => {
    const def = BUILTIN_NEMESES.find((d) => d.name === n);
    if (!def || !SIMULATED_KINDS.includes(def.name)) {
      const why = !def
        ? looksLikePath(n) ? 'a fault kind from a module may act outside the simulation' : 'no such fault kind'
        : 'it acts on a fault filesystem under a real node\'s directory';
      throw new UsageError(`nemesis ${JSON.stringify(n)}: the simulator injects Faultline's own fault kinds ${SIMULATED_KINDS.join(', ')}; ${why}`);
    }
    const command = ADMIN_KINDS[def.name];
    if (command && !nodeLogic.adminCommands?.includes(command)) {
      throw new UsageError(`nemesis ${n}: db ${db.name}'s node logic takes no ${JSON.stringify(command)} operator command (its adminCommands), which the simulator drives ${n} through`);
    }
    return def;
  });
  if (spec.nodes.length < 1) throw new UsageError('the simulation needs at least one node');
  const checkerDefs = await Promise.all(spec.checkers.map((c) => parts.checkers.get(c)));
  const owners = {
    db: owner('db', db),
    workload: owner('workload', workload),
    nemeses: nemeses.map((n) => owner('nemesis', n)),
    checkers: checkerDefs.map((c) => owner('checker', c)),
  };
  const parsed = parseOptions(spec.options, [owners.db, owners.workload, ...owners.nemeses, PACKAGE_OWNER, ...owners.checkers, SIM_OWNER], (line) => log.warn(line));
  const name = spec.name ?? `sim-${db.name}-${workload.name}`.replace(/[^\w.-]+/g, '-');
  return {
    spec: { ...spec, name, options: parsed.canonical },
    db,
    nodeLogic,
    dbOptions: parsed.valuesOf(owners.db),
    workload,
    workloadOptions: parsed.valuesOf(owners.workload),
    mapping,
    nemeses: Object.fromEntries(nemeses.map((n) => [n.name, n])),
    nemesisOptions: Object.fromEntries(nemeses.map((n, i) => [n.name, parsed.valuesOf(owners.nemeses[i]!)])),
    nemesisPackage: parsed.valuesOf(PACKAGE_OWNER),
    checkers: checkerDefs.map((def, i) => ({ def, options: parsed.valuesOf(owners.checkers[i]!) })),
    sim: parsed.valuesOf(SIM_OWNER),
  };
}

/** The part of a seed's test every part may read. */
export function seedTestInfo(plan: SimPlan, seed: number): TestInfo {
  const s = plan.spec;
  return { name: s.name, nodes: s.nodes, concurrency: s.concurrency, timeLimitS: s.timeLimitS, opTimeoutMs: s.opTimeoutMs, seed, options: s.options };
}

/**
 * One seed's test as a TestSpec (test.json), with what the seed drew: the fault kinds and their
 * interval. `faultline test` with this spec and `--replay-schedule` applies the seed's faults to
 * a real cluster. The simulator's own options are left out (a real cluster has none).
 */
export function seedTestSpec(plan: SimPlan, seed: number, env: SimEnvironment): TestSpec {
  const s = plan.spec;
  const options = Object.fromEntries(Object.entries(s.options).filter(([k]) => !k.startsWith('sim.')));
  return {
    name: s.name,
    db: s.db,
    workload: s.workload,
    nemesis: env.nemeses,
    checkers: s.checkers,
    nemesisIntervalS: env.nemesisIntervalS,
    nodes: s.nodes,
    concurrency: s.concurrency,
    timeLimitS: s.timeLimitS,
    rate: s.rate,
    opTimeoutMs: s.opTimeoutMs,
    recoveryS: s.recoveryS,
    seed,
    bug: s.bug,
    resultsDir: s.resultsDir,
    checkerTimeS: s.checkerTimeS,
    options,
    ...(s.configs ? { configs: s.configs } : {}),
  };
}
