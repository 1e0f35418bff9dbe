/**
 * The transactional anomaly checkers (Elle-style): `listAppend` and `rwRegister` build Checkers
 * for list-append and rw-register histories (Elle's JSON and EDN histories are read by
 * src/history/importers).
 */
import type { Checker } from '../../src/core/checker.ts';
import { runElle, type ElleOptions } from './check.ts';
import { analyzeListAppend } from './list-append.ts';
import { validateAnomalies, validateModels } from './model.ts';
import { analyzeRwRegister, type RwRegisterOptions } from './rw-register.ts';
import type { KeyOrderOptions } from './version-order.ts';

export type { ElleOptions } from './check.ts';
export type { RwRegisterOptions } from './rw-register.ts';
export type { KeyOrderOptions } from './version-order.ts';
export { boundary, strongestPossibleModels, ALL_MODELS, ALL_ANOMALIES } from './model.ts';

function validate(opts: ElleOptions): void {
  validateModels(opts.consistencyModels ?? []);
  validateAnomalies(opts.anomalies ?? []);
}

/**
 * The list-append checker. Options: those of every Elle checker (ElleOptions) and the per-key
 * order assumptions (KeyOrderOptions), e.g. `listAppend({ consistencyModels: ['serializable'],
 * linearizableKeys: true })`.
 */
export function listAppend(opts: ElleOptions & KeyOrderOptions = {}): Checker {
  validate(opts);
  return {
    name: 'list-append',
    check: (history) => runElle(history, 'list-append', (tt) => analyzeListAppend(tt, opts), opts),
  };
}

export function rwRegister(opts: ElleOptions & RwRegisterOptions = {}): Checker {
  validate(opts);
  return {
    name: 'rw-register',
    check: (history) => runElle(history, 'rw-register', (tt) => analyzeRwRegister(tt, opts), opts),
  };
}
