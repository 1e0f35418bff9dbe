/**
 * The checkers every run with faults gets: fault coverage (which faults ran, where, for how long,
 * how many client ops overlapped them) and availability (fraction of ok ops overall and during
 * each fault window). Both are informational and drawn in the report.
 */
import type { Checker, SyncChecker } from '../core/checker.ts';
import type { FaultStyle } from '../core/nemesis.ts';
import type { History } from '../core/op.ts';
import { faultCoverage } from '../../nemeses/index.ts';
import { availability } from '../../checkers/availability/availability.ts';

export function faultCoverageChecker(styles?: readonly FaultStyle[]): SyncChecker {
  return {
    name: 'fault-coverage',
    check(history: History) {
      const coverage = faultCoverage(history, styles);
      const kinds = Object.entries(coverage.kinds).map(([kind, k]) => `${kind} ${k.windows}x ${k.activeS.toFixed(0)} s`);
      return { valid: true, informational: true, measurement: kinds.length ? kinds.join('; ') : 'no fault took effect', ...coverage };
    },
  };
}

export function faultCheckers(styles?: readonly FaultStyle[]): Checker[] {
  return [faultCoverageChecker(styles), availability(styles ? { styles } : {})];
}
