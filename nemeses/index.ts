/** The nemeses' public surface for the runner, the CLI and reports. */
export { NEMESES, makeNemesisPackage, parseNemesisNames, type NemesisOptions } from './registry.ts';
export { NEMESIS_OPTIONS, nemesisOptions } from './options.ts';
export { writeSchedule, readSchedule, parseSchedule, replaySchedule, scheduleFromHistory, type Schedule, type ScheduleEntry } from './schedule.ts';
export { faultCoverage, type FaultCoverage, type CoverageRow } from './coverage.ts';
export { PARTITION_SHAPES, type PartitionShape } from './partition.ts';
export { TARGET_KINDS, parseTargetSpec, type TargetSpec } from './targets.ts';
