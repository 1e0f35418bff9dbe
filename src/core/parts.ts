/**
 * Part definitions: how a named DB, workload, nemesis, checker or provider is built from its
 * options. The registries hold definitions, `--db ./my-db.ts` loads one from a user's module, and
 * the CLI builds a test from names through them. Each definition declares its options (see
 * src/options/schema.ts); `create` receives them parsed and typed. A DB, workload, checker or
 * provider may build asynchronously: its `create` may import its implementation on first use
 * (`create: async (b) => (await import('./my-checker.ts')).myChecker(b.options)`), so listing parts
 * loads only their names, descriptions and option schemas. A nemesis builds synchronously.
 *
 * Write them with `defineDb`, `defineWorkload`, ... from `faultline` (they check the shape and
 * keep the option types); see docs/your-database.md for a whole example.
 */
import type { Checker } from './checker.ts';
import type { ClientFactory } from './client.ts';
import type { Logger, TestInfo } from './context.ts';
import type { DB } from './db.ts';
import type { OpTemplate, Rng } from './generator.ts';
import type { Nemesis } from './nemesis.ts';
import type { Provider } from './provider.ts';
import type { Workload } from './workload.ts';
import type { OptionSchema, OptionValues } from '../options/schema.ts';
import type { CapabilityName } from '../setup/capabilities.ts';
import type { NodeLogic } from '../stores/runtime.ts';

export type PartKind = 'db' | 'workload' | 'nemesis' | 'checker' | 'provider';

interface PartBase<K extends PartKind, S extends OptionSchema> {
  readonly kind: K;
  /** The name used on the command line: `--db <name>`. */
  readonly name: string;
  /** One line for `faultline list`. */
  readonly description: string;
  /** The options it reads, without their prefix. */
  readonly options?: S;
  /** The prefix of its option keys (default: the name after any "family:" part, e.g. raft for reference:raft). */
  readonly optionPrefix?: string;
}

/** What every part is built from. */
export interface BuildContext<S extends OptionSchema> {
  /** Its own options, parsed and typed, defaults filled in. */
  readonly options: OptionValues<S>;
  /** The test being built: nodes, seed, timing, every option as text. */
  readonly test: TestInfo;
}

/** What a DB definition builds: the adapter, and a client per workload it serves. */
export interface DbInstance {
  /** The adapter that sets nodes up; null for stores living inside the controller. */
  readonly db: DB | null;
  /** The client for a workload, or undefined when the DB cannot serve it. */
  client(workload: string): ClientFactory | undefined;
}

export interface DbDefinition<S extends OptionSchema = OptionSchema> extends PartBase<'db', S> {
  /** Workloads it has clients for. */
  readonly workloads: readonly string[];
  /** Providers it runs on (default: local, ssh, docker); ["none"] for in-process stores. */
  readonly providers?: readonly string[];
  /** Bug flags (`--bug`) and what each should make the checkers find. */
  readonly bugs?: Readonly<Record<string, string>>;
  /** What the checkers should conclude about it (for `faultline list` and self-tests). */
  readonly expect?: string;
  /** What its nodes need installed, from the one list of capabilities... */
  readonly capabilities?: readonly CapabilityName[];
  /** ...or as Debian packages. */
  readonly packages?: readonly string[];
  /** Builds the adapter; may fetch and check what the nodes will need (a release archive). */
  create(b: BuildContext<S> & { readonly bugs: readonly string[] }): DbInstance | Promise<DbInstance>;
  /**
   * Optional: its nodes as node logic over Faultline's runtime, so `faultline sim` can run them
   * (docs/simulation.md); or a function importing it when a simulation starts, so that listing
   * DBs does not load node code: `nodeLogic: async () => (await import('./node-logic.ts')).logic`.
   */
  readonly nodeLogic?: NodeLogic<S> | (() => Promise<NodeLogic<S>>);
}

export interface WorkloadDefinition<S extends OptionSchema = OptionSchema> extends PartBase<'workload', S> {
  /**
   * The workload whose op shapes this one issues (e.g. "register" for another mix of reads,
   * writes and compare-and-sets): every DB serving that workload serves this one with the same
   * client. Default: its own name.
   */
  readonly sameOpsAs?: string;
  /** Builds the workload; may return a promise (to import its implementation on first use). */
  create(b: BuildContext<S>): Workload | Promise<Workload>;
}

/** A fault kind: its nemesis, and how the k-th fault is drawn (its `start-<name>` op). */
export interface FaultKind {
  readonly nemesis: Nemesis;
  /** The op that starts one fault: `{ f: 'start-<name>', value }`; `stop-<name>` heals. */
  start(rng: Rng): OpTemplate;
}

/** Which nodes process and packet faults hit, as configured for the run. */
export type TargetChoice = 'one' | 'minority' | 'majority' | 'primaries' | 'all' | readonly string[];

export interface NemesisBuild<S extends OptionSchema> extends BuildContext<S> {
  /** The DB under test; a fault it cannot suffer is refused here, before any set-up. */
  readonly db: DB | null;
  /** The provider the run uses (a fault it cannot inject is refused here too). */
  readonly provider: { readonly name: string; readonly inProcess: boolean };
  /** The target choices faults draw from (`nemesis.targets`, or every kind the DB supports). */
  readonly targets: readonly TargetChoice[];
  /** A seeded stream of its own for choices made when faults are applied. */
  readonly rng: Rng;
}

export interface NemesisDefinition<S extends OptionSchema = OptionSchema> extends PartBase<'nemesis', S> {
  /** Colour of its fault windows in reports. */
  readonly color?: string;
  /** What the controller or nodes need for it, from the one list of capabilities. */
  readonly capabilities?: readonly CapabilityName[];
  create(b: NemesisBuild<S>): FaultKind;
}

export interface CheckerBuild<S extends OptionSchema> {
  readonly options: OptionValues<S>;
  /** The test the history comes from, when checking a run (absent for a stored file). */
  readonly test?: TestInfo;
  /** `--model` and `--init` of `faultline check` (linearizability). */
  readonly model?: string;
  readonly init?: unknown;
  /** `--consistency-models` (transactional checkers). */
  readonly consistencyModels?: readonly string[];
}

export interface CheckerDefinition<S extends OptionSchema = OptionSchema> extends PartBase<'checker', S> {
  /** Builds the checker; may return a promise (to import its implementation on first use). */
  create(b: CheckerBuild<S>): Checker | Promise<Checker>;
}

export interface ProviderBuild<S extends OptionSchema> extends BuildContext<S> {
  /** Where run directories go (a provider that mounts it into nodes needs it). */
  readonly resultsDir: string;
  readonly log: Logger;
}

export interface ProviderDefinition<S extends OptionSchema = OptionSchema> extends PartBase<'provider', S> {
  /** No cluster: the stores live in the controller; no faults can be injected. */
  readonly inProcess?: boolean;
  /** Nodes must be named n1..nN. */
  readonly numberedNodes?: boolean;
  /** Where what the parts need gets installed: the controller itself, each node through its Remote, or nowhere (images). */
  readonly installsOn: 'controller' | 'nodes' | 'none';
  /** What the provider itself needs, from the one list of capabilities. */
  readonly capabilities?: readonly CapabilityName[];
  /** Refuses what cannot work here (no root, no engine), before anything is set up. */
  preflight?(b: ProviderBuild<S>): Promise<void>;
  create(b: ProviderBuild<S>): Provider | Promise<Provider>;
}

export type PartDefinition = DbDefinition | WorkloadDefinition | NemesisDefinition | CheckerDefinition | ProviderDefinition;

/** A config file's default export (`faultline.config.ts`): parts to register by name. */
export interface FaultlineConfig {
  dbs?: readonly DbDefinition<any>[];
  workloads?: readonly WorkloadDefinition<any>[];
  nemeses?: readonly NemesisDefinition<any>[];
  checkers?: readonly CheckerDefinition<any>[];
  providers?: readonly ProviderDefinition<any>[];
}
