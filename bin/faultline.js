#!/usr/bin/env node
// Entry point of the faultline command: runs the compiled CLI in dist/ (built by `npm run build`,
// which `npm ci` and `npm pack` run). In a development checkout whose sources are newer than the
// build, or with FAULTLINE_FROM_SOURCES=1, it runs the TypeScript sources through tsx instead.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);

// `faultline --version` answers from package.json alone: nothing else needs loading for it.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).version}\n`);
  process.exit(0);
}
const compiled = new URL('dist/src/cli/main.js', root);

/**
 * Whether any TypeScript source of a git checkout changed after the last build. Plain paths, and
 * no stat of test files (never built): this walk runs before every command of a checkout.
 */
function sourcesNewer() {
  const top = fileURLToPath(root);
  if (!existsSync(`${top}.git`)) return false;
  const built = statSync(`${top}dist/.tsbuildinfo`, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const newer = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? newer(`${dir}/${e.name}`) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && statSync(`${dir}/${e.name}`).mtimeMs > built,
    );
  return ['src', 'checkers', 'nemeses', 'workloads'].some((d) => newer(`${top}${d}`));
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
