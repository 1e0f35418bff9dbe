// The store node program's own failure modes: bad arguments and a damaged data directory give
// one line on stderr and exit 254, never a stack trace.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = path.resolve(import.meta.dirname, '../../src/stores/main.ts');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-node-program-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('store node program', () => {
  it('exits 254 with one line on bad arguments', () => {
    const r = run(['--store', 'raft', '--id', 'n1']);
    expect(r.status).toBe(254);
    expect(r.stderr).toBe('faultline-store: --listen is required\n');
  });

  it('exits 254 naming file and line when the data directory is damaged', () => {
    const data = path.join(dir, 'n1');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'log.jsonl'), '{"i":1,"t":1,"c":{"kind":"noop"}}\n{"i":1,"t":1,"c":null}\n');
    const r = run(['--store', 'raft', '--id', 'n1', '--listen', '127.0.0.1:1', '--peers', 'n2=127.0.0.1:2', '--data-dir', data]);
    expect(r.status).toBe(254);
    expect(r.stderr).toBe(`faultline-store: ${path.join(data, 'log.jsonl')}:2: entry index 1, expected 2\n`);
  });
});
