/**
 * Unique ids: every id returned by an `ok` `generate` op must be distinct.
 *
 * Ops: `{f: "generate", value: null}`, completing ok with the id (a number, string, or any JSON
 * value compared structurally). Other fs are ignored.
 * Evidence: `attempted` (generate invocations), `acknowledged` (ok ones), `duplicatedCount`
 * (distinct ids returned more than once), `duplicated` (up to 100 of them: `{id, count, ops}`
 * with the indices of the first two ok ops that returned it), `range` ([min, max] when all ids
 * are numbers). Anomaly type: `duplicated`. Checks op by op too: a duplicate is definite once seen.
 */
import { HistoryError } from '../../src/core/errors.ts';
import type { Op } from '../../src/core/op.ts';
import type { CheckResult } from '../../src/core/validity.ts';
import { foldChecker, type Fold } from '../online.ts';

const MAX_EXAMPLES = 100;

export interface DuplicatedId {
  id: unknown;
  count: number;
  /** History indices of the first two ok ops that returned the id. */
  ops: [number, number];
}

/** First-seen index and duplicates per id; numbers, strings and structured ids (by JSON) apart. */
class IdTable {
  private readonly numbers = new Map<unknown, number>();
  private readonly strings = new Map<unknown, number>();
  private readonly structured = new Map<unknown, number>();
  duplicatedCount = 0;
  readonly examples: DuplicatedId[] = [];
  private readonly byId = new Map<string, DuplicatedId>();

  /** Records that op `index` returned `id`. */
  see(id: unknown, index: number): void {
    let map: Map<unknown, number>;
    let key: unknown = id;
    if (typeof id === 'number') map = this.numbers;
    else if (typeof id === 'string') map = this.strings;
    else if (id === null || id === undefined) throw new HistoryError('ok generate op has no id (value is null)', index);
    else {
      map = this.structured;
      key = JSON.stringify(id);
    }
    const first = map.get(key);
    if (first === undefined) {
      map.set(key, index);
      return;
    }
    const name = `${typeof id}:${typeof key === 'string' ? key : String(key)}`;
    const d = this.byId.get(name);
    if (d) {
      d.count++;
      return;
    }
    const dup: DuplicatedId = { id, count: 2, ops: [first, index] };
    this.byId.set(name, dup);
    this.duplicatedCount++;
    if (this.examples.length < MAX_EXAMPLES) this.examples.push(dup);
  }
}

/** The check as a fold over ops (see checkers/online.ts): a duplicate is definite when seen. */
class UniqueIdsFold implements Fold {
  private readonly ids = new IdTable();
  private attempted = 0;
  private acknowledged = 0;
  private min = Infinity;
  private max = -Infinity;
  private allNumbers = true;

  get violated(): boolean {
    return this.ids.duplicatedCount > 0;
  }

  feed(op: Op): void {
    if (op.f !== 'generate') return;
    if (op.type === 'invoke') this.attempted++;
    if (op.type !== 'ok') return;
    this.acknowledged++;
    this.ids.see(op.value, op.index);
    if (typeof op.value === 'number') {
      if (op.value < this.min) this.min = op.value;
      if (op.value > this.max) this.max = op.value;
    } else this.allNumbers = false;
  }

  result(): CheckResult {
    const ids = this.ids;
    const result: CheckResult = {
      valid: ids.duplicatedCount === 0,
      attempted: this.attempted,
      acknowledged: this.acknowledged,
      duplicatedCount: ids.duplicatedCount,
      duplicated: ids.examples,
    };
    if (this.allNumbers && this.acknowledged > 0) result.range = [this.min, this.max];
    if (ids.duplicatedCount > 0) result.anomalyTypes = ['duplicated'];
    return result;
  }
}

/** The unique-ids checker; it also checks op by op (`begin`). */
export function uniqueIds() {
  return foldChecker('unique-ids', () => new UniqueIdsFold());
}
