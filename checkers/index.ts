/**
 * The checker registry: names usable with `--checker` and in workloads, with what each checks.
 * Checkers are built from the command-line options they need (model, initial value, models).
 */
import type { Checker } from '../src/core/checker.ts';
import { UsageError } from '../src/core/errors.ts';
import { stats } from './stats.ts';
import { perf } from './perf.ts';
import { unhandledErrors } from './unhandled-errors.ts';
import { linearizable, MODELS } from './linearizable/index.ts';
import { WORKLOAD_CHECKERS } from './workload-checkers.ts';
import { ELLE_FLAGS, elleOptionsFromFlags, listAppend, rwRegister } from './elle/index.ts';

export interface CheckerOptions {
  /** Linearizability model name (register, cas-register, kv, ...). */
  model?: string;
  /** Initial value for the model (already parsed). */
  init?: unknown;
  /** Consistency models to check transactional histories against. */
  consistencyModels?: string[];
  /** Further checker options given as --opt key=value. */
  options?: Readonly<Record<string, string>>;
}

export interface CheckerEntry {
  description: string;
  make(opts: CheckerOptions): Checker;
}

export const CHECKERS: Record<string, CheckerEntry> = {
  stats: { description: 'counts ops by f and type; flags an f that never succeeded', make: () => stats() },
  perf: { description: 'latency quantiles by f and throughput over time (informational)', make: () => perf() },
  'unhandled-errors': { description: 'groups the errors clients reported (informational)', make: () => unhandledErrors() },
  linearizable: {
    description: `linearizability against a model (--model ${Object.keys(MODELS).join(' | ')}, --init VALUE)`,
    make(opts) {
      if (!opts.model) throw new UsageError(`the linearizable checker needs a model: --model ${Object.keys(MODELS).join(' | ')}`);
      return linearizable({ model: opts.model, ...(opts.init !== undefined ? { init: opts.init } : {}) });
    },
  },
  'list-append': {
    description: `Elle-style transactional anomalies of list-append histories (--consistency-models, default strict-serializable; --opt ${ELLE_FLAGS['list-append'].map((f) => `${f}=true`).join(', ')})`,
    make: (opts) =>
      listAppend({ ...(opts.consistencyModels ? { consistencyModels: opts.consistencyModels } : {}), ...elleOptionsFromFlags(opts.options ?? {}, 'list-append') }),
  },
  'rw-register': {
    description: `Elle-style transactional anomalies of read-write register histories (--consistency-models; --opt ${ELLE_FLAGS['rw-register'].map((f) => `${f}=true`).join(', ')}; garbage-reads also reports reads of values nobody wrote)`,
    make: (opts) =>
      rwRegister({ ...(opts.consistencyModels ? { consistencyModels: opts.consistencyModels } : {}), ...elleOptionsFromFlags(opts.options ?? {}, 'rw-register') }),
  },
  ...Object.fromEntries(
    Object.entries(WORKLOAD_CHECKERS).map(([name, w]) => [
      name,
      { description: w.options.length ? `${w.description} (--opt ${w.options.join(', ')})` : w.description, make: (opts: CheckerOptions) => w.create(opts.options ?? {}) },
    ]),
  ),
};

/** The checkers added to every run: counts, performance and error groups. */
export function standardCheckers(): Checker[] {
  return [stats(), perf(), unhandledErrors()];
}

export function makeChecker(name: string, opts: CheckerOptions): Checker {
  const entry = CHECKERS[name];
  if (!entry) {
    throw new UsageError(`unknown checker ${JSON.stringify(name)}; known checkers: ${Object.keys(CHECKERS).sort().join(', ')}`);
  }
  return entry.make(opts);
}
