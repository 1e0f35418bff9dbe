// Importers: the EDN reader, Jepsen EDN histories, Jepsen log lines, Porcupine kv logs, format
// detection and model hints, and one-line errors naming the file, line and column.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.ts';
import { inputError } from '../../../test/input-error.ts';
import { parseEdn } from './edn.ts';
import { detectFormat, loadHistory, parseHistoryText } from './index.ts';
import { parseJepsenEdn } from './jepsen-edn.ts';
import { parseJepsenLog } from './jepsen-log.ts';

describe('EDN reader', () => {
  it('reads the values Jepsen histories use', () => {
    expect(parseEdn('{:a nil, :b [1 -2 3.5 "s\\"q"] :c #{:x} :d (true false) :e 12N}')).toEqual({ a: null, b: [1, -2, 3.5, 's"q'], c: ['x'], d: [true, false], e: 12 });
    expect(parseEdn('#jepsen.history.Op{:index 0, :f :read} ; trailing comment')).toEqual({ index: 0, f: 'read' });
    expect(parseEdn('[1 #_ 2 3]')).toEqual([1, 3]);
    expect(parseEdn('{[1 2] :v}')).toEqual({ '[1,2]': 'v' });
  });

  it('names the line and column of malformed input', () => {
    const e = inputError(() => parseEdn('[{:a 1}\n {:b 2 ]', 'h.edn'));
    expect(e.message).toBe('h.edn:2: column 8: unexpected "]"');
    expect(e.line).toBe(2);
    expect(inputError(() => parseEdn('"abc', 'x.edn')).message).toMatch(/^x\.edn:1: column \d+: unterminated string$/);
    expect(inputError(() => parseEdn('{:a}', 'x.edn')).message).toMatch(/key without a value/);
  });
});

describe('Jepsen EDN histories', () => {
  it('reads a list with comments and trailing commas, keywords as strings', () => {
    const text = `; header comment
({:type :invoke, :f :cas, :value [1 4], :process 1, :time 10},
 {:type :fail, :f :cas, :value [1 4], :process 1, :time 20, :error [:timeout nil]}, ; why
 {:type :invoke, :f :start-partition, :value nil, :process :nemesis, :time 30})`;
    const { history, format, notes } = parseJepsenEdn(text, 'a.edn');
    expect(format).toBe('edn');
    expect(notes).toEqual([]);
    expect(history).toEqual([
      { index: 0, time: 10, process: 1, type: 'invoke', f: 'cas', value: [1, 4] },
      { index: 1, time: 20, process: 1, type: 'fail', f: 'cas', value: [1, 4], error: ['timeout', null] },
      { index: 2, time: 30, process: 'nemesis', type: 'invoke', f: 'start-partition', value: null },
    ]);
  });

  it('synthesizes missing times from line order and keeps times from going backwards', () => {
    const none = parseJepsenEdn('[{:process 0 :type :invoke :f :read} {:process 0 :type :ok :f :read :value 1}]');
    expect(none.history.map((o) => o.time)).toEqual([0, 1000]);
    expect(none.notes[0]).toMatch(/synthesized from line order/);
    const back = parseJepsenEdn('[{:process 0 :type :invoke :f :read :time 50} {:process 0 :type :ok :f :read :time 40}]');
    expect(back.history.map((o) => o.time)).toEqual([50, 50]);
    expect(back.notes.join(' ')).toMatch(/go backwards/);
  });

  it('rejects an op without a valid type, naming the line', () => {
    const e = inputError(() => parseJepsenEdn('[{:process 0 :type :invoke :f :read}\n {:process 0 :type :done :f :read}]', 'b.edn'));
    expect(e.message).toMatch(/^b\.edn:2: op 1 has no valid :type/);
  });

  it('recognises Porcupine kv logs and turns values into [key, value]', () => {
    const text = '{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}\n{:process 0, :type :ok, :f :append, :key "0", :value "x 0 0 y"}\n';
    const r = parseHistoryText(text, 'c.txt');
    expect(r.format).toBe('porcupine-kv');
    expect(r.history[0]!.value).toEqual(['0', 'x 0 0 y']);
    expect(r.model).toMatchObject({ model: 'kv', init: '' });
  });
});

describe('Elle JSON histories', () => {
  it('names the op at fault', () => {
    expect(inputError(() => parseHistoryText('[{"process": 0, "type": "bogus"}]', 'h.json')).message).toMatch(/^h\.json: op 0 has no valid :type \(got "bogus"/);
    expect(inputError(() => parseHistoryText('[{"process": 0, "type": "ok"}, 3]', 'h.json')).message).toBe('h.json: op 1 must be an object, got 3');
    expect(inputError(() => parseHistoryText('[{"process": 0, "type": "ok"}', 'h.json')).message).toMatch(/^h\.json: not valid JSON/);
  });
});

describe('Jepsen log lines', () => {
  const log = [
    'INFO  jepsen.util - 0\t:invoke\t:read\tnil',
    'INFO  jepsen.util - 1   :invoke   :cas   [3 0]',
    'some other line',
    'INFO  jepsen.util - 0\t:ok\t:read\tnil',
    'INFO  jepsen.util - 2\t:invoke\t:write\t4',
    'INFO  jepsen.util - 1\t:fail\t:cas\t[3 0]',
    'INFO  jepsen.util - 2\t:info\t:write\t:timed-out',
    'INFO  jepsen.util - 3\t:invoke\t:read\tnil',
    'INFO  jepsen.util - 3\t:fail\t:read\t:timed-out',
  ].join('\n');

  it('maps each line to an op; keyword completions become errors keeping the invoked value', () => {
    const { history, notes } = parseJepsenLog(log, 'etcd.log');
    expect(history.map((o) => [o.process, o.type, o.f, o.value])).toEqual([
      [0, 'invoke', 'read', null],
      [1, 'invoke', 'cas', [3, 0]],
      [0, 'ok', 'read', null],
      [2, 'invoke', 'write', 4],
      [1, 'fail', 'cas', [3, 0]],
      [2, 'info', 'write', 4],
      [3, 'invoke', 'read', null],
      [3, 'fail', 'read', null],
    ]);
    expect(history[5]!.error).toBe('timed-out');
    expect(notes.join(' ')).toMatch(/1 lines without jepsen.util/);
  });

  it('is detected and hinted as an etcd register', () => {
    const r = parseHistoryText(log);
    expect(r.format).toBe('jepsen-log');
    expect(r.model).toMatchObject({ model: 'etcd-register', init: null });
  });

  it('names the line and column of a malformed op line and of a bad value', () => {
    expect(inputError(() => parseJepsenLog('INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - x :what', 'e.log')).message).toMatch(/^e\.log:2: column 7: expected/);
    expect(inputError(() => parseJepsenLog('INFO  jepsen.util - 0\t:invoke\t:cas\t[1 2', 'e.log')).message).toMatch(/^e\.log:1: column 36: bad value "\[1 2"/);
  });
});

describe('format detection and loadHistory', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'faultline-import-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('detects each format from the content', () => {
    expect(detectFormat('{"index":0,"type":"invoke"}')).toBe('jsonl');
    expect(detectFormat('; comment\n[{:process 0}]')).toBe('edn');
    expect(detectFormat('{:process 0, :type :invoke}')).toBe('edn');
    expect(detectFormat('INFO  jepsen.util - 0\t:invoke\t:read\tnil')).toBe('jepsen-log');
    expect(detectFormat('[{"index":0,"type":"invoke","process":0,"value":[]}]')).toBe('elle-json');
    expect(detectFormat('[\n  {\n    "type": "invoke"')).toBe('elle-json');
    expect(detectFormat('[{:type :invoke}]')).toBe('edn');
    expect(() => detectFormat('hello world', 'x.txt')).toThrow(/x\.txt: unknown history format/);
  });

  it('loads JSONL through the history reader, and EDN with a model hint', async () => {
    const jsonl = path.join(dir, 'h.jsonl');
    await writeFile(jsonl, '{"index":0,"time":0,"process":0,"type":"invoke","f":"acquire","value":null}\n{"index":1,"time":5,"process":0,"type":"ok","f":"acquire","value":null}\n');
    const a = await loadHistory(jsonl);
    expect(a.format).toBe('jsonl');
    expect(a.history).toHaveLength(2);
    expect(a.model).toMatchObject({ model: 'mutex' });
    const edn = path.join(dir, 'h.edn');
    await writeFile(edn, '[{:process 0 :type :invoke :f :write :value 1}\n{:process 0 :type :ok :f :write :value 1}\n{:process 1 :type :invoke :f :cas :value [1 2]}]');
    const b = await loadHistory(edn);
    expect(b.format).toBe('edn');
    expect(b.model).toMatchObject({ model: 'cas-register', init: 0 });
    await expect(loadHistory(path.join(dir, 'missing.edn'))).rejects.toThrow(InputError);
  });
});
