/**
 * Checking a run while it goes (`faultline test --check-online`, `--fail-fast`): every event the
 * run records is also fed to those of the run's checkers that check op by op
 * (checkers/online.ts); the others wait for the check of the recorded history at the end. The
 * running verdict shows in the progress line, and with fail-fast the run stops at the first
 * definite violation. The run's verdict still comes from the full check of history.jsonl;
 * `describe` says whether the online verdicts agree with it.
 */
import type { Checker, CheckContext } from '../core/checker.ts';
import type { Op } from '../core/op.ts';
import type { CheckResult, Validity } from '../core/validity.ts';
import { beginChecks, isIncremental, type ComposedSession } from '../../checkers/online.ts';

/** The running verdict, for the progress line. */
export interface OnlineStatus {
  /** How many checkers check op by op. */
  checkers: number;
  /** Those whose violation is already definite, by name. */
  violations: string[];
}

/** The first op after which a violation was definite. */
export interface FirstViolation {
  checkers: string[];
  /** Its index in the history. */
  op: number;
  /** Seconds into the run (the op's time). */
  atS: number;
}

/** What results.json records of the online check (`online`). */
export interface OnlineRecord {
  /** Checkers that checked op by op, and those that waited for the check of the recorded history. */
  checked: string[];
  waited: string[];
  /** Each online checker's verdict on the ops it was fed. */
  verdicts: Record<string, Validity>;
  firstViolation: FirstViolation | null;
  /** False when an online verdict and the recorded history's verdict are both definite and differ. */
  agrees: boolean;
  /** The checkers that disagree, with both verdicts. */
  disagreements: string[];
}

export class OnlineRunCheck {
  readonly checked: readonly string[];
  readonly waited: readonly string[];
  private readonly session: ComposedSession;
  private first: FirstViolation | null = null;
  private verdicts: Record<string, Validity> | undefined;

  /** `checker`: the run's checker (a composition is split into its parts). */
  constructor(checker: Checker, ctx: CheckContext) {
    const parts = 'parts' in checker ? (checker.parts as readonly Checker[]) : [checker];
    const online = parts.filter(isIncremental);
    this.checked = online.map((c) => c.name);
    this.waited = parts.filter((c) => !isIncremental(c)).map((c) => c.name);
    this.session = beginChecks(online, ctx);
  }

  /** Feeds one recorded event; true when it is the one after which a violation became definite. */
  feed(op: Op): boolean {
    this.session.feed(op);
    if (this.first !== null || !this.session.violated) return false;
    this.first = { checkers: this.session.violations, op: op.index, atS: op.time / 1e9 };
    return true;
  }

  get firstViolation(): FirstViolation | null {
    return this.first;
  }

  get status(): OnlineStatus {
    return { checkers: this.checked.length, violations: this.first === null ? [] : this.session.violations };
  }

  /** Ends the online check (the run recorded its last event). */
  async finish(): Promise<void> {
    const r = await this.session.finish();
    this.verdicts = Object.fromEntries(Object.entries(r.checkers).map(([name, c]) => [name, c.valid]));
  }

  /** The record for results.json, against the results of checking the recorded history. */
  describe(recorded: Readonly<Record<string, CheckResult>>): OnlineRecord {
    return compared({ checked: [...this.checked], waited: [...this.waited], verdicts: this.verdicts ?? {}, firstViolation: this.first }, recorded);
  }
}

/** An online record with whether its verdicts agree with the results of checking the recorded history. */
function compared(online: Omit<OnlineRecord, 'agrees' | 'disagreements'>, recorded: Readonly<Record<string, CheckResult>>): OnlineRecord {
  const disagreements: string[] = [];
  for (const [name, verdict] of Object.entries(online.verdicts)) {
    const offline = recorded[name]?.valid;
    if (verdict !== 'unknown' && offline !== undefined && offline !== 'unknown' && verdict !== offline) {
      disagreements.push(`${name}: ${String(verdict)} online, ${String(offline)} on the recorded history`);
    }
  }
  return { ...online, agrees: disagreements.length === 0, disagreements };
}

/**
 * What the run checked online, as results.json recorded it, for checking the run again
 * (`faultline report`): the same record, compared with the new results.
 */
export function recordedOnline(record: OnlineRecord): { describe(recorded: Readonly<Record<string, CheckResult>>): OnlineRecord } {
  const { checked, waited, verdicts, firstViolation } = record;
  return { describe: (recorded) => compared({ checked, waited, verdicts, firstViolation }, recorded) };
}
