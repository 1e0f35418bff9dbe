/**
 * Where Faultline's own files are, whether it runs compiled (dist/, what `npm ci` and the
 * published package run) or from the TypeScript sources through tsx (development, the tests).
 * Programs Faultline starts (the reference stores on the nodes, checker worker threads) run the
 * same way as the controller; files that are not code (C helpers, report assets, the summary
 * schema, docker scripts) are always read from the package's own tree.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** True when this module was loaded from dist/ (compiled JavaScript). */
export const COMPILED = import.meta.url.endsWith('.js');

function findPackageRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('/dist')) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${import.meta.dirname}`);
    dir = up;
  }
  return dir;
}

/** The package's root directory (package.json, src/, dist/, docker/). */
export const PACKAGE_ROOT = findPackageRoot();

/** A file of the package tree, e.g. `packageFile('src/net/nfq-delay.c')`. */
export function packageFile(relative: string): string {
  return join(PACKAGE_ROOT, relative);
}

/** A code module of the package as a path, compiled or not: `codeModule('src/stores/main')`. */
export function codeModule(relativeWithoutExtension: string): string {
  return COMPILED ? join(PACKAGE_ROOT, 'dist', `${relativeWithoutExtension}.js`) : join(PACKAGE_ROOT, `${relativeWithoutExtension}.ts`);
}

/** The node arguments that run a code module of the package as a program (tsx only for sources). */
export function nodeArgvFor(relativeWithoutExtension: string): string[] {
  const file = codeModule(relativeWithoutExtension);
  return COMPILED ? [process.execPath, file] : [process.execPath, '--import', tsxLoaderUrl(), file];
}

/** tsx's loader as an absolute URL, so a program started in any working directory finds it. */
export function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/** tsx's programmatic API (register), for threads and modules that load TypeScript. */
export function tsxApiUrl(): string {
  return new URL('dist/esm/api/index.mjs', pathToFileURL(createRequire(import.meta.url).resolve('tsx/package.json'))).href;
}
