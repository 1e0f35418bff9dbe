// The adapters are built on the public API, like a user's: nothing under src/db imports the
// runner, the CLI, a provider's internals, the nemeses or the workloads (imports that ran
// backwards before the library existed).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const FORBIDDEN = ['src/runner/', 'src/cli/', 'src/providers/', 'nemeses/', 'workloads/'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

it('src/db imports nothing of the runner, the CLI, the providers, the nemeses or the workloads', () => {
  const bad: string[] = [];
  for (const file of sources(join(ROOT, 'src', 'db'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const target = relative(ROOT, resolve(dirname(file), m[1]!));
      if (FORBIDDEN.some((f) => target.startsWith(f))) bad.push(`${relative(ROOT, file)} imports ${target}`);
    }
  }
  expect(bad).toEqual([]);
});
