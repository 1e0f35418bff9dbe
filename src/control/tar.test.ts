// The one-file tar codec of the docker Remote: GNU tar reads what packFile writes (name, mode,
// bytes), and unpackFirstFile reads GNU tar's archives, also past a PAX header for a long name.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './run.ts';
import { packFile, unpackFirstFile } from './tar.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'fl-tar-'));
const bytes = Buffer.from(Array.from({ length: 1500 }, (_, i) => (i * 31) % 256));

describe('tar codec', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('packFile writes an archive GNU tar extracts with the same bytes and mode', async () => {
    writeFileSync(path.join(dir, 'a.tar'), packFile('data.bin', bytes, 0o751));
    await run(['tar', '-xf', path.join(dir, 'a.tar'), '-C', dir]);
    expect(readFileSync(path.join(dir, 'data.bin')).equals(bytes)).toBe(true);
    expect(statSync(path.join(dir, 'data.bin')).mode & 0o777).toBe(0o751);
  });

  it('unpackFirstFile reads GNU tar output, skipping a PAX header', async () => {
    const long = `${'x'.repeat(120)}.bin`;
    writeFileSync(path.join(dir, long), bytes);
    await run(['tar', '--format=pax', '-cf', path.join(dir, 'b.tar'), '-C', dir, long]);
    const archive = readFileSync(path.join(dir, 'b.tar'));
    expect(String.fromCharCode(archive[156] ?? 0)).toBe('x');
    expect(unpackFirstFile(archive).equals(bytes)).toBe(true);
  });

  it('refuses names it cannot store and archives without a file', () => {
    expect(() => packFile('a/b', bytes)).toThrow(/without "\/"/);
    expect(() => unpackFirstFile(Buffer.alloc(1024))).toThrow(/no regular file/);
  });
});
