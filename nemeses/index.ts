/** The nemeses' surface for the runner, the CLI and reports. */
export { BUILTIN_NEMESES, NEMESIS_PACKAGE_OPTIONS, makeNemesisPackage, scheduleKinds, type NemesisOptions } from './registry.ts';
export { writeSchedule, readSchedule, parseSchedule, replaySchedule, scheduleFromHistory, type Schedule, type ScheduleEntry } from './schedule.ts';
export { faultCoverage, type FaultCoverage, type CoverageRow } from './coverage.ts';
export { PARTITION_SHAPES, type PartitionShape } from './partition.ts';
export { TARGET_KINDS, parseTargetSpec, type TargetSpec } from './targets.ts';
