#!/usr/bin/env node
// Entry point of the faultline command: runs the compiled CLI in dist/ (built by `npm run build`,
// which `npm ci` and `npm pack` run). In a development checkout whose sources are newer than the
// build, or with FAULTLINE_FROM_SOURCES=1, it runs the TypeScript sources through tsx instead.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);

// `faultline --version` answers from package.json alone: nothing else needs loading for it.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).version}\n`);
  process.exit(0);
}
const compiled = new URL('dist/src/cli/main.js', root);

/** Whether any TypeScript source of a git checkout changed after the last build. */
function sourcesNewer() {
  if (!existsSync(new URL('.git', root))) return false;
  const built = statSync(new URL('dist/.tsbuildinfo', root), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const newer = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? newer(new URL(`${e.name}/`, dir)) : e.name.endsWith('.ts') && statSync(new URL(e.name, dir)).mtimeMs > built,
    );
  return ['src/', 'checkers/', 'nemeses/', 'workloads/'].some((d) => newer(new URL(d, root)));
}

if (existsSync(compiled) && process.env.FAULTLINE_FROM_SOURCES !== '1' && !sourcesNewer()) {
  // Stack traces point at the TypeScript sources (shipped with the package).
  process.setSourceMapsEnabled(true);
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('src/cli/main.ts', root).href);
}
