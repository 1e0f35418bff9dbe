/**
 * Faultline as a library: the public API (`import { ... } from 'faultline'`). What is exported
 * here and from `faultline/generators`, `faultline/checkers`, `faultline/nemeses`, `faultline/db`
 * and `faultline/cli` is the contract; everything else is internal.
 *
 * Two ways to run a test:
 * - by names, as the CLI does: `await run(await planTest(testSpec({ db: './my-db.ts', workload: 'register' })))`;
 * - as a value built in code: `await run(defineTest({ name, provider, db, client, workload, nemesis }))`.
 * A user's part is a module: `export default defineDb({...})`, then `faultline test --db ./my-db.ts`.
 * docs/your-database.md walks through a whole example.
 */

// The vocabulary.
export type { Op, OpType, CompletionType, ProcessId, History } from './core/op.ts';
export type { Validity, CheckResult } from './core/validity.ts';
export { EXIT, exitCodeFor, mergeValidity, mergeAll } from './core/validity.ts';
export type { Checker, SyncChecker, CheckContext, CheckBudget } from './core/checker.ts';
export type { Client, ClientFactory, ClientOp, Completion } from './core/client.ts';
export type { DB, MembershipDb, MembershipChange, RebalancingDb, RebalanceResult } from './core/db.ts';
export type { Nemesis, NemesisOp, NemesisPackage, FaultStyle } from './core/nemesis.ts';
export type { Provider, Cluster, NodeInfo, NetFaults, NodeControl, ClockControl, Grudge, Link, PacketFaults, FaultSupport } from './core/provider.ts';
export type { Remote, ExecOptions, ExecResult, DaemonSpec } from './core/remote.ts';
export type { Workload } from './core/workload.ts';
export type { Generator, GenContext, OpTemplate, Rng } from './core/generator.ts';
export type { TestInfo, RunContext, NodeContext, Logger } from './core/context.ts';
export { nodeContext, nodeDir } from './core/context.ts';
export type { Test, TestSpec } from './core/test.ts';
export type { Topology, Region, WanLink } from './core/topology.ts';
export { FaultlineError, UsageError, InputError, HistoryError, isUserError } from './core/errors.ts';

// Parts: definitions, options, registries.
export type {
  BuildContext, CheckerBuild, CheckerDefinition, DbDefinition, DbInstance, FaultKind, FaultlineConfig, NemesisBuild, NemesisDefinition,
  PartDefinition, PartKind, ProviderBuild, ProviderDefinition, TargetChoice, WorkloadDefinition,
} from './core/parts.ts';
export { defineDb, defineWorkload, defineNemesis, defineChecker, defineProvider, defineConfig } from './plugins/define.ts';
export { opt, describeType, describeDefault, type OptionSchema, type OptionSpec, type OptionValues } from './options/schema.ts';
export { parseOptions, optionValues, type OptionOwner, type ParsedOptions } from './options/parse.ts';
export { builtinParts, loadParts, Registry, type Parts } from './plugins/registry.ts';
export { CAPABILITIES, type Capability, type CapabilityName } from './setup/capabilities.ts';

// Node logic for the simulator (docs/simulation.md): the runtime it is written against, the
// store protocol its clients speak, the key-value state machine, node invariants.
export type { Runtime, TimerHandle, DurableStorage, DurableContents, LogRecord, StoreNode, NodeLogic, NodeInvariant, AdminCommand } from './stores/runtime.ts';
export type { StoreRequest, StoreReply, StoreStatus, StoreError, ErrorCode, Key, MicroOp, LeaderHint } from './stores/protocol.ts';
export { errorReply, isReadOnly } from './stores/protocol.ts';
export { KvState } from './stores/kv-state.ts';
export { oneLeaderPerTerm } from './stores/invariants.ts';

// Running.
export { runTest as run, type RunOutcome, type RunIo, type RunProgress } from './runner/run-test.ts';
export { planTest, type PlanOptions } from './runner/plan.ts';
export { testSpec, SPEC_DEFAULTS } from './runner/spec.ts';
export { defineTest, type TestInput } from './runner/define-test.ts';
export type { OnlineStatus, OnlineRecord, FirstViolation } from './runner/online-check.ts';
export { runContext, SILENT } from './runner/context.ts';
export { createLogger } from './runner/logger.ts';
export { inProcessCluster } from './providers/index.ts';
export { localProvider, type LocalProviderOptions } from './providers/local/provider.ts';
export { readHistoryFile } from './history/reader.ts';
export { loadTopology } from './topology/load.ts';
export { BUILTIN_TOPOLOGIES } from './topology/profiles.ts';
export { parseProfile, placeProfile, type TopologyProfile } from './topology/profile.ts';
export { VERSION } from './version.ts';
