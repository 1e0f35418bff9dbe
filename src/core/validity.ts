/**
 * Validity of a check and the results checkers return.
 *
 * Validity merges with priority false > unknown > true: one violation makes the whole run
 * invalid; a checker that could not decide makes an otherwise valid run unknown.
 */

export type Validity = true | false | 'unknown';

export function mergeValidity(a: Validity, b: Validity): Validity {
  if (a === false || b === false) return false;
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  return true;
}

export function mergeAll(validities: Iterable<Validity>): Validity {
  let v: Validity = true;
  for (const x of validities) v = mergeValidity(v, x);
  return v;
}

/**
 * What a checker returns. `valid` is required; everything else is evidence. By convention:
 * `anomalyTypes` names the kinds of violation found, `anomalies` holds them as data,
 * `error` says why a checker could not decide (with `valid: "unknown"`).
 */
export interface CheckResult {
  valid: Validity;
  anomalyTypes?: string[];
  anomalies?: unknown;
  error?: string;
  [evidence: string]: unknown;
}

/** Exit codes of the command line, as Jepsen uses them. */
export const EXIT = {
  valid: 0,
  invalid: 1,
  unknown: 2,
  badInput: 254,
  crash: 255,
} as const;

export function exitCodeFor(v: Validity): number {
  return v === true ? EXIT.valid : v === false ? EXIT.invalid : EXIT.unknown;
}
