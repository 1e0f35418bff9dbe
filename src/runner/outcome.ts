/**
 * How a run ended, and the one outcome it reports. Every way a run can end is distinct:
 *   valid        the checkers judged a complete run and found nothing wrong        exit 0
 *   invalid      a checker found a violation (definite, even in a cut-short run)    exit 1
 *   unknown      a complete run a checker could not decide                          exit 2
 *   incomplete   the run was cut short (interrupted, watchdog, disk full, harness
 *                could not keep up, controller gone) and nothing definite was found  exit 3
 *   not-started  set-up failed before the workload ran                  exit 254 (user) / 255 (bug)
 * An incomplete run is never reported as valid: what it did not run might have failed.
 * A run stopped by --fail-fast at a definite violation ends `violation-found`; its outcome is
 * still what the check of the recorded history says (invalid, as the online check found).
 */
import { EXIT, type Validity } from '../core/validity.ts';

export type EndReason = 'completed' | 'interrupted' | 'watchdog' | 'disk-full' | 'history-write-failed' | 'harness-overloaded' | 'controller-gone' | 'setup-failed' | 'violation-found';

/** How the run ended, with the detail a user needs (what stopped it). */
export interface RunEnd {
  reason: EndReason;
  detail?: string;
}

export type Outcome = 'valid' | 'invalid' | 'unknown' | 'incomplete' | 'not-started';

export const EXIT_INCOMPLETE = 3;

export function outcomeOf(valid: Validity, end: RunEnd): Outcome {
  if (end.reason === 'setup-failed') return 'not-started';
  if (valid === false) return 'invalid';
  if (end.reason !== 'completed') return 'incomplete';
  return valid === true ? 'valid' : 'unknown';
}

/** The exit code of an outcome; `userFixable` tells 254 from 255 for a run that never started. */
export function exitCodeForOutcome(o: Outcome, userFixable = true): number {
  switch (o) {
    case 'valid':
      return EXIT.valid;
    case 'invalid':
      return EXIT.invalid;
    case 'unknown':
      return EXIT.unknown;
    case 'incomplete':
      return EXIT_INCOMPLETE;
    case 'not-started':
      return userFixable ? EXIT.badInput : EXIT.crash;
  }
}

/** One line saying why a run is incomplete or did not start, for terminals and reports. */
export function describeEnd(end: RunEnd): string {
  const what: Record<EndReason, string> = {
    completed: 'the run completed',
    interrupted: 'the run was interrupted',
    watchdog: 'the run overran its planned time and the watchdog stopped it',
    'disk-full': 'the disk filled up and the history could not be written',
    'history-write-failed': 'the history could not be written',
    'harness-overloaded': 'the harness could not keep up with its own schedule',
    'controller-gone': 'the controller stopped before the run ended (no end was recorded)',
    'setup-failed': 'the run could not start',
    'violation-found': 'the first definite violation ended the run (--fail-fast)',
  };
  return end.detail ? `${what[end.reason]}: ${end.detail}` : what[end.reason];
}

/** How a terminal or a report heads the line saying why a run ended before its plan. */
export function endHeading(end: RunEnd, outcome: Outcome): string {
  if (outcome === 'not-started') return 'Not started';
  return end.reason === 'violation-found' ? 'Stopped early' : 'Incomplete';
}
