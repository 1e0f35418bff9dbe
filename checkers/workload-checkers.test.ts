// The workload checker definitions: names, options parsed from the command line through their
// schemas (old spellings included), usage errors for unknown names and bad values.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.ts';
import type { Checker } from '../src/core/checker.ts';
import type { CheckerDefinition } from '../src/core/parts.ts';
import { HistoryBuilder } from '../src/inprocess/history-builder.ts';
import { parseOwnOptions } from '../src/options/parse.ts';
import { builtinParts, optionPrefix } from '../src/plugins/registry.ts';
import { WORKLOAD_CHECKERS } from './workload-checkers.ts';

/** Parses the options at once (a bad one throws here), then builds the checker (its module loads on first use). */
function build(name: string, options: Record<string, string> = {}): Promise<Checker> {
  const def = WORKLOAD_CHECKERS.find((d) => d.name === name) as CheckerDefinition;
  const parsed = parseOwnOptions(options, { part: `checker ${name}`, prefix: optionPrefix(def), schema: def.options ?? {} });
  return Promise.resolve(def.create({ options: parsed }));
}

describe('workload checker definitions', () => {
  it('builds every checker under its own name', async () => {
    for (const d of WORKLOAD_CHECKERS) expect((await build(d.name)).name).toBe(d.name);
    expect(WORKLOAD_CHECKERS.map((d) => d.name)).toEqual(['set-full', 'counter', 'bank', 'queue', 'unique-ids', 'session', 'causal-reverse', 'long-fork', 'stale-reads', 'availability']);
  });

  it('parses command-line option strings, new and old spellings', async () => {
    const h = new HistoryBuilder().op(0, 'read', null, 'ok', { 0: 4, 1: 6 }).build();
    expect((await (await build('bank', { 'bank.accounts': '0,1', 'bank.total': '10' })).check(h, {})).valid).toBe(true);
    expect((await (await build('bank', { accounts: '0,1', total: '11' })).check(h, {})).valid).toBe(false);
    const dup = new HistoryBuilder().op(0, 'enqueue', 1).op(1, 'drain', null, 'ok', [1, 1]).build();
    expect((await (await build('queue', { 'queue.delivery': 'at-least-once' })).check(dup, {})).valid).toBe(true);
    expect((await (await build('queue', { delivery: 'exactly-once' })).check(dup, {})).valid).toBe(false);
  });

  it('rejects unknown names, unknown options and bad values with usage errors', async () => {
    const parts = builtinParts();
    await expect(parts.checkers.get('sets')).rejects.toThrow(UsageError);
    await expect(parts.checkers.get('sets')).rejects.toThrow(/unknown checker "sets"; did you mean [^;]*set-full/);
    expect(() => build('counter', { 'counter.inital': '1' })).toThrow(/unknown option --opt counter\.inital\. Did you mean --opt counter\.initial\?/);
    expect(() => build('queue', { 'queue.delivery': 'twice' })).toThrow(/expected at-least-once \| at-most-once \| exactly-once/);
    expect(() => build('session', { 'session.guarantees': 'read-your-writes,causal' })).toThrow(/comma-separated of/);
    expect(() => build('set-full', { 'set.linearizable': 'yes' })).toThrow(/true \| false/);
  });
});
