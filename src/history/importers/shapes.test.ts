// Histories in the shapes Jepsen, Elle and Knossos write them: no :f, no :time, indices that start
// at 1 or have gaps, nemesis entries, pending invocations, keywords or strings, maps and vectors
// as values; the same history as EDN and as Elle JSON reads the same; and the kind of
// transactions (list-append, rw-register, Knossos multi-register) is told from the micro-ops.
import { describe, expect, it } from 'vitest';
import { inputError } from '../../../test/input-error.ts';
import type { Op } from '../../core/op.ts';
import { listAppend } from '../../../checkers/elle/index.ts';
import { validateHistory } from '../validate.ts';
import { parseHistoryText } from './index.ts';
import { txnShape } from './txn-shape.ts';

/** An Elle list-append history as Jepsen writes it: indices from 1 with a gap, no :f, no :time. */
const elleEdn = `; list-append, as Elle reads it
[{:index 1, :type :invoke, :process 0, :value [[:append :x 1] [:r :y nil]]}
 {:index 2, :type :invoke, :process :nemesis, :f :start-partition, :value nil}
 {:index 3, :type :ok, :process 0, :value [[:append :x 1] [:r :y nil]]}
 {:index 4, :type :info, :process :nemesis, :f :start-partition, :value {:isolated ["n1" "n2"], :rest ["n3"]}}
 {:index 7, :type :invoke, :process 1, :value [[:r :x nil] [:append :y 1]]}
 {:index 8, :type :ok, :process 1, :value [[:r :x [1]] [:append :y 1]]}
 {:index 9, :type :info, :process :nemesis, :f :stop-partition}
 {:index 10, :type :invoke, :process 2, :value [[:append :x 2]]}]`;

const elleJson = `[
 {"index": 1, "type": "invoke", "process": 0, "value": [["append", "x", 1], ["r", "y", null]]},
 {"index": 2, "type": ":invoke", "process": ":nemesis", "f": "start-partition", "value": null},
 {"index": 3, "type": "ok", "process": 0, "value": [["append", "x", 1], ["r", "y", null]]},
 {"index": 4, "type": "info", "process": "nemesis", "f": ":start-partition", "value": {"isolated": ["n1", "n2"], "rest": ["n3"]}},
 {"index": 7, "type": "invoke", "process": 1, "value": [["r", "x", null], ["append", "y", 1]]},
 {"index": 8, "type": "ok", "process": 1, "value": [["r", "x", [1]], ["append", "y", 1]]},
 {"index": 9, "type": "info", "process": "nemesis", "f": "stop-partition"},
 {"index": 10, "type": "invoke", "process": 2, "value": [["append", "x", 2]]}
]`;

describe('Elle histories', () => {
  it('reads indices that start at 1 with gaps, a missing :f and :time, nemesis entries and a pending invocation', () => {
    const r = parseHistoryText(elleEdn, 'la.edn');
    expect(r.format).toBe('edn');
    expect(r.txn).toBe('list-append');
    expect(r.model).toBeUndefined();
    expect(validateHistory(r.history)).toEqual([]);
    expect(r.history.map((o) => o.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(r.history.map((o) => o['sourceIndex'])).toEqual([1, 2, 3, 4, 7, 8, 9, 10]);
    expect(r.history.map((o) => o.f)).toEqual(['txn', 'start-partition', 'txn', 'start-partition', 'txn', 'txn', 'stop-partition', 'txn']);
    expect(r.history[3]).toMatchObject({ process: 'nemesis', value: { isolated: ['n1', 'n2'], rest: ['n3'] } });
    expect(r.history[6]!.value).toBeNull();
    expect(r.notes).toEqual([
      'no op has a time: times synthesized from line order (1 µs apart)',
      "the file's op indices start at 1 and have gaps: ops are taken in file order and numbered from 0, each keeping the file's index as sourceIndex",
      '5 ops have no :f: read as transactions (f "txn"), as Elle reads them',
    ]);
  });

  it('reads the same history from Elle JSON, keywords written as strings with or without a colon', () => {
    const json = parseHistoryText(elleJson, 'la.json');
    expect(json.format).toBe('elle-json');
    const edn = parseHistoryText(elleEdn, 'la.edn');
    expect(json.history).toEqual(edn.history);
    expect(json.notes).toEqual(edn.notes);
  });

  it('checks it as Elle does: the ok read of nil is the empty list, the pending append is ignored', async () => {
    const r = await listAppend().check(parseHistoryText(elleEdn).history, {});
    expect(r).toMatchObject({ valid: true });
    expect((r.stats as { txns: number }).txns).toBe(2);
  });

  it('takes ops in file order when indices are not increasing, and refuses an index given twice', () => {
    const shuffled = parseHistoryText('[{:index 5 :type :invoke :process 0 :f :read} {:index 2 :type :ok :process 0 :f :read :value 1}]');
    expect(shuffled.history.map((o) => [o.index, o['sourceIndex'], o.type])).toEqual([
      [0, 5, 'invoke'],
      [1, 2, 'ok'],
    ]);
    expect(shuffled.notes.join(' ')).toMatch(/indices are not in file order/);
    const twice = inputError(() => parseHistoryText('[{:index 1 :type :invoke :process 0 :f :read}\n {:index 1 :type :ok :process 0 :f :read}]', 'd.edn'));
    expect(twice.message).toBe('d.edn:2: op 1 has index 1, as op 0 does: an index must name one op');
    expect(inputError(() => parseHistoryText('[{:index :a :type :invoke :process 0 :f :read}]', 'i.edn')).message).toMatch(/^i\.edn:1: op 0 has :index "a"; expected an integer/);
  });

  it('keeps dense indices as they are and renumbers our JSONL when its indices have gaps', () => {
    const dense = parseHistoryText('[{:index 0 :type :invoke :process 0 :f :read} {:index 1 :type :ok :process 0 :f :read}]');
    expect(dense.history.every((o) => !('sourceIndex' in o))).toBe(true);
    expect(dense.notes).toEqual(['no op has a time: times synthesized from line order (1 µs apart)']);
    const gaps = parseHistoryText('{"index":3,"time":5,"process":0,"type":"invoke","f":"read","value":null}\n{"index":9,"time":6,"process":0,"type":"ok","f":"read","value":2}\n');
    expect(gaps.history.map((o: Op) => [o.index, o['sourceIndex']])).toEqual([
      [0, 3],
      [1, 9],
    ]);
    expect(validateHistory(gaps.history)).toEqual([]);
  });
});

describe('histories without :process', () => {
  it('pair each invocation with the next completion and give a lone completion its own invocation', () => {
    const r = parseHistoryText(`[{:type :invoke, :f :read, :value [[:r 0 nil]]}
{:type :ok, :f :read, :value [[:r 0 1]]}
{:type :ok, :f :write, :value [[:w 0 1]]}]`);
    expect(validateHistory(r.history)).toEqual([]);
    expect(r.history.map((o) => [o.process, o.type, o.f])).toEqual([
      [1_000_000_000, 'invoke', 'read'],
      [1_000_000_000, 'ok', 'read'],
      [1_000_000_001, 'invoke', 'write'],
      [1_000_000_001, 'ok', 'write'],
    ]);
    expect(r.notes).toContain('2 ops have no :process: each is a session of its own, paired in file order');
  });

  it('refuse a second open invocation, naming the op', () => {
    const e = inputError(() => parseHistoryText('[{:type :invoke :f :read} {:type :invoke :f :read}]'));
    expect(e.message).toMatch(/op 1 is a second invocation without :process/);
  });
});

describe('Knossos histories', () => {
  const multi = `; a Knossos multi-register
{:process 0, :type :invoke, :f :txn, :value [[:write :x 1] [:read :y nil]]}
{:process 0, :type :ok, :f :txn, :value [[:write :x 1] [:read :y 0]]}
{:process 1, :type :invoke, :f :txn, :value [[:read :x nil]]}
{:process 1, :type :info, :f :txn, :value [[:read :x nil]]}`;

  it('tells a multi-register history from Elle transactions and gives every register 0', () => {
    const r = parseHistoryText(multi, 'm.edn');
    expect(r.txn).toBe('multi-register');
    expect(r.model).toMatchObject({ model: 'multi-register', init: { x: 0, y: 0 } });
  });

  it('reads register histories with maps and vectors as values, and :f other than txn', () => {
    const r = parseHistoryText('[{:process 0 :type :invoke :f :cas :value [1 2]} {:process 0 :type :ok :f :cas :value [1 2]}]');
    expect(r.txn).toBeUndefined();
    expect(r.model).toMatchObject({ model: 'cas-register', init: 0 });
    const elle = parseHistoryText('[{:process 0 :type :invoke :f :append-txn :value [[:append 1 1]]}]');
    expect(elle.txn).toBe('list-append');
  });
});

describe('txnShape', () => {
  const ops = (...values: unknown[]): Op[] => values.map((value, index) => ({ index, time: index, process: 0, type: 'ok', f: 'txn', value }));

  it('names the kind of transactions from the micro-ops alone', () => {
    expect(txnShape(ops([['append', 1, 2]], [['r', 1, null]]))).toBe('list-append');
    expect(txnShape(ops([['w', 1, 2]], [['r', 1, 2]], null))).toBe('rw-register');
    expect(txnShape(ops([['write', 'x', 2], ['read', 'y', null]]))).toBe('multi-register');
  });

  it('says nothing for other values or micro-ops it does not know', () => {
    expect(txnShape(ops([1, 2]))).toBeUndefined();
    expect(txnShape(ops(['k', 'v']))).toBeUndefined();
    expect(txnShape(ops([['append', 1, 2]], 5))).toBeUndefined();
    expect(txnShape(ops([['append', 1, 2], ['w', 1, 3]]))).toBeUndefined();
    expect(txnShape(ops([['cas', 1, [1, 2]]]))).toBeUndefined();
    expect(txnShape(ops(null, null))).toBeUndefined();
  });
});
