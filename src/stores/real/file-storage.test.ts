// FileStorage: what was flushed survives a reopen, truncations replay, a torn tail is dropped,
// damage elsewhere is reported with file and line, lazy mode really leaves writes in memory and
// unsynced mode really does not.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.ts';
import { FileStorage, type SyncMode } from './file-storage.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-store-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function open(dir: string, mode: SyncMode = 'fsync'): FileStorage {
  return FileStorage.open(dir, {
    mode,
    onFatal: err => {
      throw err;
    },
  });
}

const flushed = (s: FileStorage): Promise<void> => new Promise(resolve => s.flush(resolve));
const cmd = (n: number) => ({ kind: 'req', req: { f: 'write', key: 'k', value: n } });

describe('FileStorage', () => {
  it('reopens with the flushed log and state, replaying truncations', async () => {
    const dir = tempDir();
    const s = open(dir);
    expect(s.load()).toEqual({ state: undefined, log: [] });
    s.append([1, 2, 3].map(n => ({ term: 1, command: cmd(n) })));
    s.saveState({ term: 1, votedFor: 'n2' });
    s.truncate(3);
    s.append([{ term: 2, command: cmd(4) }]);
    s.saveState({ term: 2, votedFor: null });
    await flushed(s);
    await s.close();
    const again = open(dir);
    expect(again.load()).toEqual({
      state: { term: 2, votedFor: null },
      log: [
        { term: 1, command: cmd(1) },
        { term: 1, command: cmd(2) },
        { term: 2, command: cmd(4) },
      ],
    });
    again.append([{ term: 2, command: cmd(5) }]);
    await flushed(again);
    await again.close();
    expect(open(dir).load().log.map(r => r.command)).toEqual([cmd(1), cmd(2), cmd(4), cmd(5)]);
  });

  it('calls flush callbacks in order, each after its writes are on disk', async () => {
    const dir = tempDir();
    const s = open(dir);
    const order: number[] = [];
    const lines = (): number => fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8').split('\n').length - 1;
    const seen: number[] = [];
    for (let i = 1; i <= 5; i++) {
      s.append([{ term: 1, command: cmd(i) }]);
      s.flush(() => {
        order.push(i);
        seen.push(lines());
      });
    }
    await flushed(s);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(seen.every((n, i) => n >= i + 1)).toBe(true);
    await s.close();
  });

  it('drops a torn last line and keeps appending after it', async () => {
    const dir = tempDir();
    const s = open(dir);
    s.append([{ term: 1, command: cmd(1) }]);
    await flushed(s);
    await s.close();
    // The file is zero-filled ahead of the data; a crash mid-write leaves a partial line there.
    const file = path.join(dir, 'log.jsonl');
    const content = fs.readFileSync(file);
    const end = content.indexOf(0);
    expect(end).toBeGreaterThan(0);
    content.write('{"i":2,"t":1,"c":{"ki', end);
    fs.writeFileSync(file, content);
    const again = open(dir);
    expect(again.load().log).toHaveLength(1);
    again.append([{ term: 1, command: cmd(2) }]);
    await flushed(again);
    await again.close();
    expect(open(dir).load().log.map(r => r.command)).toEqual([cmd(1), cmd(2)]);
  });

  it('grows the file in zero-filled chunks ahead of the data', async () => {
    const dir = tempDir();
    const s = open(dir);
    s.append([{ term: 1, command: cmd(1) }]);
    await flushed(s);
    const file = path.join(dir, 'log.jsonl');
    const content = fs.readFileSync(file);
    const end = content.indexOf(0);
    expect(content.subarray(0, end).toString()).toBe(`${JSON.stringify({ i: 1, t: 1, c: cmd(1) })}\n`);
    expect(content.length).toBeGreaterThanOrEqual(1024 * 1024);
    expect(content.subarray(end).every(b => b === 0)).toBe(true);
    await s.close();
  });

  it('names file and line of a damaged record', () => {
    const dir = tempDir();
    const file = path.join(dir, 'log.jsonl');
    fs.writeFileSync(file, '{"i":1,"t":1,"c":null}\nnot json\n{"i":2,"t":1,"c":null}\n');
    expect(() => open(dir)).toThrow(InputError);
    expect(() => open(dir)).toThrow(`${file}:2: log record is not valid JSON`);
    fs.writeFileSync(file, '{"i":1,"t":1,"c":null}\n{"i":3,"t":1,"c":null}\n');
    expect(() => open(dir)).toThrow(`${file}:2: entry index 3, expected 2`);
    fs.writeFileSync(file, '');
    fs.writeFileSync(path.join(dir, 'state.json'), '[1]');
    expect(() => open(dir)).toThrow(/state\.json:1: state file is not a JSON object/);
  });

  it('unsynced mode writes every flush to the files before calling back, keeping nothing in the process', async () => {
    const dir = tempDir();
    const s = open(dir, 'unsynced');
    s.append([{ term: 1, command: cmd(1) }]);
    s.saveState({ term: 1, votedFor: 'n1' });
    await flushed(s);
    // A process killed now loses nothing: the entry and the vote are in the files already.
    expect(fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8')).toMatch(/^\{"i":1,"t":1,/);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'))).toEqual({ term: 1, votedFor: 'n1' });
    await s.close();
  });

  it('lazy mode acknowledges at once but leaves the write in memory until its timer', async () => {
    const dir = tempDir();
    const s = open(dir, 'lazy');
    s.append([{ term: 1, command: cmd(1) }]);
    s.saveState({ term: 1, votedFor: 'n1' });
    await flushed(s);
    // A process killed now would lose the acknowledged entry: nothing reached the file.
    expect(fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8')).toBe('');
    expect(fs.existsSync(path.join(dir, 'state.json'))).toBe(false);
    await s.close();
    expect(open(dir).load().log).toHaveLength(1);
  });
});
