/**
 * Hashes of the node code a simulated run ran: every module named by the DB's node logic and
 * every module those import by relative path, transitively. A replay compares them with the ones
 * recorded, to say whether the node code changed since. Faultline's own modules are hashed from
 * their TypeScript sources even when the compiled build runs, so both give the same hashes.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../code-paths.ts';

export interface CodeHashes {
  /** sha256 of each file, by path (relative to Faultline's package for its own files). */
  files: Record<string, string>;
  /** sha256 over all of them. */
  digest: string;
}

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The source of a module: a compiled Faultline module's TypeScript file when there is one. */
function sourceOf(path: string): string {
  const dist = resolve(PACKAGE_ROOT, 'dist');
  if (path.startsWith(`${dist}/`) && path.endsWith('.js')) {
    const ts = resolve(PACKAGE_ROOT, relative(dist, path)).replace(/\.js$/, '.ts');
    if (existsSync(ts)) return ts;
  }
  return path;
}

function label(path: string): string {
  const rel = relative(PACKAGE_ROOT, path);
  return rel.startsWith('..') ? path : rel;
}

export function hashNodeCode(modules: readonly string[]): CodeHashes {
  const files: Record<string, string> = {};
  const seen = new Set<string>();
  const visit = (path: string): void => {
    const file = sourceOf(path);
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    files[label(file)] = sha256(text);
    for (const m of text.matchAll(RELATIVE_IMPORT)) {
      const target = resolve(dirname(file), m[1]!);
      // A compiled module imports `./x.js`; its neighbour in the sources is `./x.ts`.
      visit(existsSync(target) ? target : target.replace(/\.js$/, '.ts'));
    }
  };
  for (const m of modules) visit(m.startsWith('file:') ? fileURLToPath(m) : resolve(m));
  const sorted = Object.keys(files).sort();
  const ordered = Object.fromEntries(sorted.map((k) => [k, files[k]!]));
  return { files: ordered, digest: sha256(sorted.map((k) => `${k} ${files[k]}`).join('\n')) };
}

/** Files whose hash differs, appeared or disappeared between two records. */
export function changedFiles(before: CodeHashes, after: CodeHashes): string[] {
  const names = new Set([...Object.keys(before.files), ...Object.keys(after.files)]);
  return [...names].filter((n) => before.files[n] !== after.files[n]).sort();
}

export function historySha256(text: string): string {
  return sha256(text);
}
