/**
 * Loads a user's module: TypeScript or JavaScript, by path, from the compiled CLI or from the
 * sources. `.ts` files go through tsx's loader (registered only when needed). A module that
 * cannot be found or that throws while loading is a UsageError naming the file.
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

let tsx: Promise<unknown> | undefined;

/**
 * Lets this process import TypeScript, once. Registered for the whole process rather than per
 * import (tsImport), so a file imported twice (by a config and by `--db ./file.ts`) is one module,
 * and user modules share Faultline's own module instances (its error classes, its registries).
 */
function registerTsx(): Promise<unknown> {
  tsx ??= import('tsx/esm/api').then(({ register }) => register());
  return tsx;
}

/** Imports the module at `path` (relative to cwd) and returns its exports. */
export async function importModule(path: string, what: string): Promise<Record<string, unknown>> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UsageError(`${what} ${path}: no such file (${file})`);
  try {
    if (TS.test(file) && COMPILED) await registerTsx();
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new UsageError(`${what} ${path}: the module failed to load: ${message}`, { cause: e });
  }
}
