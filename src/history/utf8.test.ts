// UTF-8 validation: agreement with a strict decoder, torn characters at the end of a file, and
// every reader (JSONL, EDN, Elle JSON, Jepsen log, Porcupine kv) refusing bad bytes with the
// file, line and byte instead of reading replacement characters.
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../core/errors.ts';
import { loadHistory } from './importers/index.ts';
import { readHistoryFile } from './reader.ts';
import { cutUtf8Tail, firstInvalidUtf8 } from './utf8.ts';

const strict = new TextDecoder('utf-8', { fatal: true });
const validUtf8 = (b: Uint8Array): boolean => {
  try {
    strict.decode(b);
    return true;
  } catch {
    return false;
  }
};

describe('firstInvalidUtf8', () => {
  it('agrees with a strict decoder, and everything before the bad sequence is valid', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 10 }), (noise, text) => {
        const bytes = new Uint8Array([...Buffer.from(text), ...noise]);
        const at = firstInvalidUtf8(bytes);
        expect(at === -1).toBe(validUtf8(bytes));
        if (at >= 0) {
          expect(validUtf8(bytes.subarray(0, at))).toBe(true);
          expect(at).toBeGreaterThanOrEqual(Buffer.byteLength(text));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses overlong forms, surrogates and code points past U+10FFFF', () => {
    for (const bad of [[0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff]]) {
      expect(firstInvalidUtf8(Uint8Array.from([0x61, ...bad]))).toBe(1);
    }
  });
});

describe('cutUtf8Tail', () => {
  it('finds exactly the character a cut leaves unfinished', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }), fc.nat(), (text, n) => {
        const bytes = Buffer.from(text);
        const cut = bytes.subarray(0, n % (bytes.length + 1));
        const rest = cut.subarray(0, cut.length - cutUtf8Tail(cut));
        expect(validUtf8(rest)).toBe(true);
        expect(cutUtf8Tail(cut) === 0).toBe(validUtf8(cut));
      }),
    );
  });
});

describe('every reader refuses bytes that are not UTF-8', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-utf8-'));
  const file = (name: string, ...parts: (string | number[])[]): string => {
    const path = join(dir, name);
    writeFileSync(path, Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)))));
    return path;
  };
  const refusal = async (path: string): Promise<string> => {
    try {
      await loadHistory(path);
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      return (e as Error).message;
    }
    throw new Error(`${path} was read`);
  };

  it('EDN: a bad byte in a comment and one inside a value', async () => {
    const comment = file('c.edn', '[{:process 0 :type :invoke :f :write :value 1}\n ; caf', [0xe9], '\n {:process 0 :type :ok :f :write :value 1}]');
    expect(await refusal(comment)).toBe(`${comment}:2: byte 7: not valid UTF-8 (0xE9 0x0A); a history must be UTF-8 text`);
    const value = file('v.edn', '[{:process 0 :type :invoke :f :write :value "a', [0xff], '"}]');
    expect(await refusal(value)).toMatch(new RegExp(`^${value}:1: byte 47: not valid UTF-8 \\(0xFF\\)`));
  });

  it('JSONL, in any chunk, and Elle JSON', async () => {
    const line = (i: number) => JSON.stringify({ index: i, time: i, process: 0, type: i % 2 ? 'ok' : 'invoke', f: 'write', value: 'é' }) + '\n';
    const many = Array.from({ length: 30_000 }, (_, i) => line(i)).join('');
    const jsonl = file('h.jsonl', many, '{"index":30000,"process":0,"type":"invoke","f":"write","value":"', [0xc3, 0x28], '"}\n');
    expect(await refusal(jsonl)).toMatch(new RegExp(`^${jsonl}:30001: byte 65: not valid UTF-8 \\(0xC3 0x28\\)`));
    const elle = file('h.json', '[{"process": 0, "type": "invoke", "value": [["append", 1, 2]]},\n {"process": 0, "type": "ok", "value": [["append", 1, ', [0x80], ']]}]');
    expect(await refusal(elle)).toMatch(new RegExp(`^${elle}:2: byte 55: not valid UTF-8 \\(0x80\\)`));
  });

  it('Jepsen log lines and Porcupine kv logs', async () => {
    const log = file('e.log', 'INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen', [0xfe], '.util - 0\t:ok\t:read\tnil\n');
    expect(await refusal(log)).toMatch(new RegExp(`^${log}:2: byte 13: not valid UTF-8`));
    const kv = file('kv.txt', '{:process 0, :type :invoke, :f :put, :key "0", :value "x', [0xf0, 0x9f], '"}\n');
    expect(await refusal(kv)).toMatch(new RegExp(`^${kv}:1: byte 57: not valid UTF-8 \\(0xF0 0x9F 0x22\\)`));
  });

  it('drops a last JSONL line torn inside a character, as any torn line', async () => {
    const whole = JSON.stringify({ index: 0, time: 0, process: 0, type: 'invoke', f: 'write', value: 'x' }) + '\n';
    const torn = file('t.jsonl', whole, '{"index":1,"time":1,"process":0,"type":"ok","f":"write","value":"', [0xe2, 0x82]);
    const r = await readHistoryFile(torn);
    expect(r.history).toHaveLength(1);
    expect(r.tornLastLine).toBe(true);
  });
});
