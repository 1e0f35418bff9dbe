// The online check of a run: only checkers that check op by op take part, the first op after
// which a violation is definite is kept, and the record says when an online verdict and the
// recorded history's verdict disagree.
import { describe, expect, it } from 'vitest';
import type { Checker, CheckSession, IncrementalChecker } from '../core/checker.ts';
import type { Op } from '../core/op.ts';
import { compose } from '../../checkers/compose.ts';
import { counter } from '../../checkers/counter/counter.ts';
import { stats } from '../../checkers/stats.ts';
import { HistoryBuilder } from '../inprocess/history-builder.ts';
import { OnlineRunCheck } from './online-check.ts';

/** An incremental checker that calls the history invalid once it has seen `after` ops. */
function invalidAfter(name: string, after: number): IncrementalChecker {
  return {
    name,
    check: () => ({ valid: false }),
    begin(): CheckSession {
      let seen = 0;
      return {
        feed: () => void seen++,
        get violated() {
          return seen >= after;
        },
        finish: () => Promise.resolve({ valid: seen >= after ? false : true }),
      };
    },
  };
}

describe('OnlineRunCheck', () => {
  it('checks with the incremental checkers of a composition and leaves the others to the end', () => {
    const online = new OnlineRunCheck(compose([counter(), stats()]), {});
    expect(online.checked).toEqual(['counter']);
    expect(online.waited).toEqual(['stats']);
    expect(online.status).toEqual({ checkers: 1, violations: [] });
  });

  it('keeps the first op after which a violation is definite, and reports it once', async () => {
    const checker: Checker = compose([invalidAfter('a', 3), invalidAfter('b', 5)]);
    const online = new OnlineRunCheck(checker, {});
    const history = new HistoryBuilder().op(0, 'write', 1).op(1, 'read', 1, 'ok', 1).op(0, 'write', 2).build();
    expect(history).toHaveLength(6);
    expect(history.map((op: Op) => online.feed(op))).toEqual([false, false, true, false, false, false]);
    expect(online.firstViolation).toMatchObject({ checkers: ['a'], op: history[2]!.index });
    expect(online.status.violations).toEqual(['a', 'b']);
    await online.finish();
    const agreed = online.describe({ a: { valid: false }, b: { valid: false } });
    expect(agreed).toMatchObject({ agrees: true, disagreements: [], verdicts: { a: false, b: false } });
  });

  it('says when an online verdict and the recorded history disagree, and not when one is unknown', async () => {
    const online = new OnlineRunCheck(compose([invalidAfter('a', 1), invalidAfter('b', 1)]), {});
    for (const op of new HistoryBuilder().op(0, 'write', 1).build()) online.feed(op);
    await online.finish();
    const r = online.describe({ a: { valid: true }, b: { valid: 'unknown' } });
    expect(r.agrees).toBe(false);
    expect(r.disagreements).toEqual(['a: false online, true on the recorded history']);
  });
});
