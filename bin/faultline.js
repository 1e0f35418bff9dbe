#!/usr/bin/env node
// Entry point of the faultline command: runs the compiled CLI in dist/ (built by `npm run build`,
// which `npm ci` and `npm pack` run). In a development checkout whose sources are newer than the
// build, or with FAULTLINE_FROM_SOURCES=1, it runs the TypeScript sources through tsx instead.
// CommonJS (bin/package.json), the quickest kind of module for Node to start, so `--version`
// costs little more than Node itself; the CLI proper is ES modules, loaded with import().
'use strict';
const { existsSync, readFileSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const top = join(__dirname, '..');

// `faultline --version` answers from package.json alone: nothing else needs loading for it.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(join(top, 'package.json'), 'utf8')).version}\n`);
  process.exit(0);
}
const compiled = join(top, 'dist/src/cli/main.js');
const QUICK_COMMANDS = new Set(['list', 'check', 'help', '--help', '-h']);

/**
 * Whether any TypeScript source of a git checkout changed after the last build. Plain paths, and
 * no stat of test files (never built): this walk runs before every command of a checkout.
 */
function sourcesNewer() {
  if (!existsSync(join(top, '.git'))) return false;
  const built = statSync(join(top, 'dist/.tsbuildinfo'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const newer = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? newer(`${dir}/${e.name}`) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && statSync(`${dir}/${e.name}`).mtimeMs > built,
    );
  return ['src', 'checkers', 'nemeses', 'workloads'].some((d) => newer(join(top, d)));
}

async function main() {
  if (existsSync(compiled) && process.env.FAULTLINE_FROM_SOURCES !== '1' && !sourcesNewer()) {
    // Stack traces point at the TypeScript sources (shipped with the package), except for the
    // quick interactive commands, where reading every module's source map would cost a sixth of
    // their start-up (their internal errors then name the compiled files in dist/).
    if (!QUICK_COMMANDS.has(args[0] ?? '--help')) process.setSourceMapsEnabled(true);
    await import(pathToFileURL(compiled).href);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import(pathToFileURL(join(top, 'src/cli/main.ts')).href);
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(255);
});
