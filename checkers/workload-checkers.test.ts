// Tests for the workload-checker registry: names, option parsing, usage errors.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.ts';
import { HistoryBuilder } from '../src/inprocess/history-builder.ts';
import { makeWorkloadChecker, WORKLOAD_CHECKER_NAMES } from './workload-checkers.ts';

describe('workload checker registry', () => {
  it('builds every checker under its own name', () => {
    for (const name of WORKLOAD_CHECKER_NAMES) expect(makeWorkloadChecker(name).name).toBe(name);
    expect(WORKLOAD_CHECKER_NAMES).toEqual(['set-full', 'counter', 'bank', 'queue', 'unique-ids', 'session', 'causal-reverse', 'long-fork', 'stale-reads', 'availability']);
  });

  it('parses command-line option strings', async () => {
    const h = new HistoryBuilder().op(0, 'read', null, 'ok', { 0: 4, 1: 6 }).build();
    expect((await makeWorkloadChecker('bank', { accounts: '0,1', total: '10' }).check(h, {})).valid).toBe(true);
    expect((await makeWorkloadChecker('bank', { accounts: '0,1', total: '11' }).check(h, {})).valid).toBe(false);
    const dup = new HistoryBuilder().op(0, 'enqueue', 1).op(1, 'drain', null, 'ok', [1, 1]).build();
    expect((await makeWorkloadChecker('queue', { delivery: 'at-least-once' }).check(dup, {})).valid).toBe(true);
    expect((await makeWorkloadChecker('queue', { delivery: 'exactly-once' }).check(dup, {})).valid).toBe(false);
  });

  it('rejects unknown names, unknown options and bad values with usage errors', () => {
    expect(() => makeWorkloadChecker('sets')).toThrow(UsageError);
    expect(() => makeWorkloadChecker('sets')).toThrow(/unknown checker "sets"; known: set-full/);
    expect(() => makeWorkloadChecker('counter', { inital: '1' })).toThrow(/checker counter has no option "inital"; it takes initial/);
    expect(() => makeWorkloadChecker('queue', { delivery: 'twice' })).toThrow(/delivery must be one of/);
    expect(() => makeWorkloadChecker('session', { guarantees: 'read-your-writes,causal' })).toThrow(/guarantees must be one of/);
    expect(() => makeWorkloadChecker('set-full', { linearizable: 'yes' })).toThrow(/true or false/);
  });
});
