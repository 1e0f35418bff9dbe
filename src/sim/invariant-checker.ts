/**
 * The simulator's node invariants as a checker: it reports what the invariants saw while the
 * seed ran (NodeLogic.invariants), so their findings stand beside the history checkers' in
 * results.json and the report. It judges the run it was made for, not a history given later.
 */
import type { SyncChecker } from '../core/checker.ts';
import type { NodeInvariant } from '../stores/runtime.ts';

export interface InvariantViolation {
  /** Simulated ms since the start. */
  time: number;
  node: string;
  invariant: string;
  message: string;
}

/** At most this many violations are kept (the first ones say what went wrong). */
const KEEP = 20;

/** Watches the nodes with the invariants; `checker` reports what they saw. */
export class InvariantWatch {
  readonly #invariants: readonly NodeInvariant[];
  readonly #now: () => number;
  readonly violations: InvariantViolation[] = [];
  #count = 0;

  constructor(invariants: readonly NodeInvariant[], now: () => number) {
    this.#invariants = invariants;
    this.#now = now;
  }

  get empty(): boolean {
    return this.#invariants.length === 0;
  }

  observe(node: string, status: Parameters<NodeInvariant['observe']>[1]): void {
    for (const inv of this.#invariants) {
      const message = inv.observe(node, status);
      if (message === undefined) continue;
      if (this.#count++ < KEEP) this.violations.push({ time: this.#now(), node, invariant: inv.name, message });
    }
  }

  checker(): SyncChecker {
    const names = this.#invariants.map((i) => i.name);
    const violations = this.violations;
    const count = this.#count;
    return {
      name: 'node-invariants',
      check() {
        if (count === 0) return { valid: true, invariants: names };
        return { valid: false, invariants: names, anomalyTypes: [...new Set(violations.map((v) => v.invariant))].sort(), anomalies: violations, count };
      },
    };
  }
}
