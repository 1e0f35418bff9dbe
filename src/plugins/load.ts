/**
 * Loads a user's module: TypeScript or JavaScript, by path, from the compiled CLI or from the
 * sources. `.ts` files go through tsx's loader (loaded only when needed). A module that cannot be
 * found or that throws while loading is a UsageError naming the file.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../core/errors.ts';
import { COMPILED } from '../code-paths.ts';

const TS = /\.(?:ts|mts|cts|tsx)$/;

/** Whether a `--db`-style value names a module file rather than a registered part. */
export function looksLikePath(value: string): boolean {
  return value.startsWith('./') || value.startsWith('../') || value.startsWith('/') || /\.(?:[cm]?[jt]s|tsx)$/.test(value);
}

/** Imports the module at `path` (relative to cwd) and returns its exports. */
export async function importModule(path: string, what: string): Promise<Record<string, unknown>> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UsageError(`${what} ${path}: no such file (${file})`);
  try {
    if (TS.test(file) && COMPILED) {
      const { tsImport } = await import('tsx/esm/api');
      return (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
    }
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new UsageError(`${what} ${path}: the module failed to load: ${message}`, { cause: e });
  }
}
