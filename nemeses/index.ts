/**
 * `faultline/nemeses`: Faultline's fault kinds and the pieces to write your own.
 * - `makeNemesisPackage(kinds, opts)`: one package of fault kinds (names of Faultline's own, or
 *   definitions) with its seeded start/stop schedule, heal-all final ops and report styles.
 * - `attempt` and `FaultNotApplied`: how a nemesis answers an op (ok when in effect, fail when
 *   refused before anything changed, info when it broke half-way).
 * - grudges (who stops hearing whom) for partition shapes, target choices, seeded schedules.
 * A fault kind of your own is `defineNemesis({ name, description, create(b) { return { nemesis, start } } })`
 * from `faultline`, whose nemesis handles `start-<name>` and `stop-<name>`.
 */
export { BUILTIN_NEMESES, NEMESIS_PACKAGE_OPTIONS, makeNemesisPackage, scheduleKinds, type NemesisOptions } from './registry.ts';
export { writeSchedule, readSchedule, parseSchedule, replaySchedule, scheduleFromHistory, type Schedule, type ScheduleEntry } from './schedule.ts';
export { faultCoverage, type FaultCoverage, type CoverageRow } from './coverage.ts';
export { PARTITION_SHAPES, REGION_SHAPES, PartitionNemesis, cutFor, grudgeFor, type PartitionContext, type PartitionCut, type PartitionShape, type PartitionValue } from './partition.ts';
export { TARGET_KINDS, parseTargetSpec, resolveTargets, type TargetKind, type TargetSpec } from './targets.ts';
export { FaultNotApplied, attempt, onEach, primariesOf, type NemesisContext } from './context.ts';
export { pick, rngFor, startStop, SPACINGS, type Spacing, type StartStop } from './generators.ts';
export { CombinedNemesis } from './combined.ts';
export { ProcessNemesis } from './process.ts';
export { MembershipNemesis, canChangeMembership, checkMembershipSupport } from './membership.ts';
export { RebalanceNemesis, canRebalance, checkRebalanceSupport, type RebalanceValue } from './rebalance.ts';
export type { MembershipChange, MembershipDb, RebalancingDb, RebalanceResult } from '../src/core/db.ts';
export { ClockNemesis } from './clock.ts';
export { PacketNemesis, linksTouching, type PacketValue } from './packet.ts';
export {
  bridge, completeGrudge, grudgeLinks, isolate, isolatePrimaries, majoritiesRing, majorityMinority, oneWay, randomHalves, shuffle,
} from '../src/net/grudge.ts';
