// Tests for the JSONL reader, the recorder and the well-formedness validator.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHistoryJsonl, readHistoryFile, scanHistoryFile } from './reader.ts';
import { HistoryRecorder } from './recorder.ts';
import { assertWellFormed, HistoryValidator, validateHistory } from './validate.ts';
import { completionIndex } from './pairs.ts';
import type { Op } from '../core/op.ts';
import { HistoryError, InputError } from '../core/errors.ts';

function op(index: number, process: number | 'nemesis', type: Op['type'], f: string, value: unknown = null): Op {
  return { index, time: index * 1000, process, type, f, value };
}

const good: Op[] = [op(0, 0, 'invoke', 'write', 1), op(1, 1, 'invoke', 'read'), op(2, 0, 'ok', 'write', 1), op(3, 1, 'info', 'read')];

describe('reader', () => {
  it('round-trips ops', () => {
    const text = good.map((o) => JSON.stringify(o)).join('\n') + '\n';
    const r = parseHistoryJsonl(text);
    expect(r.history).toEqual(good);
    expect(r.tornLastLine).toBe(false);
  });

  it('drops a torn last line and says so', () => {
    const text = good.map((o) => JSON.stringify(o)).join('\n') + '\n{"index":4,"time":4000,"pro';
    const r = parseHistoryJsonl(text);
    expect(r.history).toHaveLength(4);
    expect(r.tornLastLine).toBe(true);
  });

  it('names the line of a malformed line in the middle', () => {
    const lines = good.map((o) => JSON.stringify(o));
    lines.splice(2, 0, '{"index": 2, oops}');
    expect(() => parseHistoryJsonl(lines.join('\n') + '\n', 'h.jsonl')).toThrow(/^h\.jsonl:3: malformed JSON/);
  });

  it('rejects non-object lines and ops without fields', () => {
    expect(() => parseHistoryJsonl('[1,2]\n', 'x')).toThrow(InputError);
    expect(() => parseHistoryJsonl('{"type":"invoke","f":"read"}\n', 'x')).toThrow(/x:1: op has no "process" field/);
  });

  it('reads files in chunks, across chunk boundaries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-hist-'));
    const many: Op[] = [];
    for (let i = 0; i < 40_000; i++) many.push(op(i, i % 7, i % 2 === 0 ? 'invoke' : 'ok', 'write', 'x'.repeat(i % 50)));
    const path = join(dir, 'h.jsonl');
    writeFileSync(path, many.map((o) => JSON.stringify(o)).join('\n') + '\n{"tor');
    const r = await readHistoryFile(path);
    expect(r.history).toHaveLength(many.length);
    expect(r.history[39_999]).toEqual(many[39_999]);
    expect(r.tornLastLine).toBe(true);
  });

  it('reads non-ASCII values split across chunks, blank lines, and names a line holding two values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-hist-'));
    const many: Op[] = [];
    for (let i = 0; i < 30_000; i++) many.push(op(i, i % 5, 'invoke', 'write', `ключ-${'é'.repeat(i % 40)}-😀`));
    const path = join(dir, 'h.jsonl');
    writeFileSync(path, many.map((o) => JSON.stringify(o)).join('\n\n') + '\n');
    const r = await readHistoryFile(path);
    expect(r.history).toEqual(many);
    expect(r.tornLastLine).toBe(false);
    const lines = good.map((o) => JSON.stringify(o));
    lines[1] = `${lines[1]},${lines[1]}`;
    writeFileSync(path, lines.join('\n') + '\n');
    await expect(readHistoryFile(path)).rejects.toThrow(/h\.jsonl:2: malformed JSON/);
  });

  it('scans a file chunk by chunk: ops in order, indices filled in across chunks, the torn line dropped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-hist-'));
    const lines: string[] = [];
    for (let i = 0; i < 60_000; i++) lines.push(JSON.stringify({ process: i % 7, type: i % 2 === 0 ? 'invoke' : 'ok', f: 'write', value: 'v'.repeat(i % 30) }));
    const path = join(dir, 'h.jsonl');
    writeFileSync(path, lines.join('\n') + '\n{"tor');
    const chunks: number[] = [];
    let next = 0;
    const r = await scanHistoryFile(path, async (ops) => {
      await new Promise((resolve) => setImmediate(resolve));
      chunks.push(ops.length);
      for (const o of ops) expect(o.index).toBe(next++);
    });
    expect(r).toEqual({ events: 60_000, tornLastLine: true });
    expect(next).toBe(60_000);
    expect(chunks.length).toBeGreaterThan(1);
  });

  it('reports a missing file as input error', async () => {
    await expect(readHistoryFile('/nonexistent/h.jsonl')).rejects.toThrow(/\/nonexistent\/h\.jsonl: cannot read history: ENOENT/);
  });
});

describe('recorder', () => {
  it('writes every op, readable back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-rec-'));
    const path = join(dir, 'history.jsonl');
    const rec = await HistoryRecorder.open(path);
    for (const o of good) rec.append(o);
    await rec.close();
    expect((await readHistoryFile(path)).history).toEqual(good);
    expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
  });
});

describe('validator', () => {
  it('accepts a well-formed history', () => {
    expect(validateHistory(good)).toEqual([]);
    expect(() => assertWellFormed(good)).not.toThrow();
  });

  it('finds a completion without invocation', () => {
    const h = [op(0, 0, 'ok', 'read')];
    expect(() => assertWellFormed(h)).toThrow(new HistoryError('ok completion of read by process 0 without an open invocation', 0));
  });

  it('finds two open invocations on one process', () => {
    const h = [op(0, 3, 'invoke', 'read'), op(1, 3, 'invoke', 'write')];
    expect(validateHistory(h)[0]).toEqual({ index: 1, message: 'process 3 invoked write while its invocation at op 0 (read) is still open' });
  });

  it('finds a mismatched f', () => {
    const h = [op(0, 0, 'invoke', 'read'), op(1, 0, 'ok', 'write')];
    expect(validateHistory(h)[0]?.message).toBe('completion f "write" does not match its invocation\'s f "read" at op 0');
  });

  it('finds an unknown type', () => {
    const h = [{ ...op(0, 0, 'invoke', 'read'), type: 'done' as Op['type'] }];
    expect(validateHistory(h)[0]?.message).toMatch(/unknown type "done"/);
  });

  it('op by op, finds what it finds over the whole history', () => {
    const types: Op['type'][] = ['invoke', 'ok', 'fail', 'info'];
    fc.assert(
      fc.property(fc.array(fc.record({ process: fc.constantFrom(0, 1, 2, 'nemesis' as const, -1), type: fc.constantFrom(...types), f: fc.constantFrom('read', 'write', ''), skip: fc.boolean(), back: fc.boolean() }), { maxLength: 30 }), (raw) => {
        const h = raw.map((x, i) => ({ ...op(x.skip ? i + 1 : i, x.process as number, x.type, x.f), time: x.back ? 0 : i }));
        const v = new HistoryValidator();
        const streamed = h.flatMap((o, i) => v.check(o).map((message) => ({ index: i, message })));
        expect(streamed).toEqual(validateHistory(h));
      }),
    );
  });

  it('pairs invocations with completions', () => {
    const p = completionIndex(good);
    expect(Array.from(p)).toEqual([2, 3, 0, 1]);
  });
});
