// `faultline check` end to end on histories shaped as Elle, Knossos and Jepsen write them: the
// checker chosen from the data, the per-key order options, and invalid UTF-8 refused (exit 254).
import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'bin', 'faultline.js');
const dir = mkdtempSync(join(tmpdir(), 'fl-import-'));
const check = (file: string, ...args: string[]) => execa('node', [BIN, 'check', file, ...args], { reject: false });

function write(name: string, ...parts: (string | Buffer)[]): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))));
  return path;
}

/** Elle list-append, as Jepsen writes it: indices from 1 with gaps, no :f, nemesis ops, a pending append. */
const elleHistory = write(
  'la.edn',
  `[{:index 1, :type :invoke, :process 0, :value [[:append 5 1] [:r 6 nil]], :time 100}
 {:index 2, :type :info, :process :nemesis, :f :kill, :value {"n1" :killed}, :time 150}
 {:index 3, :type :ok, :process 0, :value [[:append 5 1] [:r 6 nil]], :time 200}
 {:index 6, :type :invoke, :process 1, :value [[:r 5 nil] [:append 6 1]], :time 300}
 {:index 7, :type :ok, :process 1, :value [[:r 5 [1]] [:append 6 1]], :time 400}
 {:index 9, :type :invoke, :process 2, :value [[:append 5 2]], :time 500}]`,
);

/** A read that misses an append completed before it began. */
const staleListRead = write(
  'stale.json',
  JSON.stringify([
    { type: 'invoke', process: 0, value: [['append', 'x', 1]] },
    { type: 'ok', process: 0, value: [['append', 'x', 1]] },
    { type: 'invoke', process: 1, value: [['r', 'x', null]] },
    { type: 'ok', process: 1, value: [['r', 'x', null]] },
  ]),
);

describe('faultline check on Elle histories', () => {
  it('reads Jepsen-shaped list-append EDN and checks it with list-append', async () => {
    const r = await check(elleHistory, '--json');
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout) as { format: string; valid: boolean; checkers: Record<string, { valid: boolean }> };
    expect(doc).toMatchObject({ format: 'edn', valid: true, checkers: { 'list-append': { valid: true } } });
  });

  it('a stale read of one key: invalid when strict, valid when serializable, invalid again with linearizable keys', async () => {
    expect((await check(staleListRead)).exitCode).toBe(1);
    expect((await check(staleListRead, '--consistency-models', 'serializable')).exitCode).toBe(0);
    const r = await check(staleListRead, '--checker', 'list-append', '--consistency-models', 'serializable', '--opt', 'linearizable-keys=true');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/list-append\s+INVALID\s+cyclic-versions/);
  });

  it('refuses an option value that is not true or false', async () => {
    const r = await check(staleListRead, '--opt', 'sequential-keys=yes');
    expect(r.exitCode).toBe(254);
    expect(r.stderr).toMatch(/--opt list-append.sequential-keys: expected true \| false, got "yes"/);
  });
});

describe('faultline check on Knossos multi-register histories', () => {
  const ops = (readY: number) => `{:process 0, :type :invoke, :f :txn, :value [[:write :x 1] [:write :y 2]]}
{:process 0, :type :ok, :f :txn, :value [[:write :x 1] [:write :y 2]]}
{:process 1, :type :invoke, :f :txn, :value [[:read :x nil] [:read :y nil]]}
{:process 1, :type :ok, :f :txn, :value [[:read :x 1] [:read :y ${readY}]]}
`;

  it('checks them for linearizability with the multi-register model', async () => {
    const good = await check(write('mr-good.edn', ops(2)), '--json');
    expect(good.exitCode).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ checkers: { linearizable: { valid: true, model: 'multi-register' } } });
    // y = 0 after the write of x = 1 and y = 2 completed: a torn read.
    expect((await check(write('mr-bad.edn', ops(0)))).exitCode).toBe(1);
  });
});

describe('faultline check refuses bytes that are not UTF-8', () => {
  it('in a comment and in a value, naming file, line and byte', async () => {
    const comment = write('comment.edn', '[{:process 0 :type :invoke :f :write :value 1} ; ', Buffer.from([0xc0, 0xaf]), '\n {:process 0 :type :ok :f :write :value 1}]');
    const a = await check(comment, '--model', 'register');
    expect(a.exitCode).toBe(254);
    expect(a.stderr).toContain(`${comment}:1: byte 50: not valid UTF-8 (0xC0)`);
    const value = write('value.jsonl', '{"index":0,"time":0,"process":0,"type":"invoke","f":"write","value":"', Buffer.from([0xfc]), '"}\n');
    const b = await check(value, '--checker', 'stats');
    expect(b.exitCode).toBe(254);
    expect(b.stderr).toContain(`${value}:1: byte 70: not valid UTF-8 (0xFC)`);
  });
});
