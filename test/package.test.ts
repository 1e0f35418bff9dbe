// The packed package as a user gets it: `npm pack`, then `npm i ./faultline-*.tgz` into an empty
// directory. The CLI answers --version, checks a history, runs an in-process test and (as root) a
// short default test on local namespaces; the library entry points import, and a user's
// TypeScript module type-checks against the shipped declarations.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/code-paths.ts';

const IS_ROOT = process.platform === 'linux' && process.getuid?.() === 0;
const work = mkdtempSync(path.join(tmpdir(), 'faultline-package-'));
const app = path.join(work, 'app');

const npx = (args: string[], timeout = 120_000) => execa('npx', ['--no-install', ...args], { cwd: app, reject: false, timeout, env: { NO_COLOR: '1' } });

describe('the packed package, installed into an empty directory', () => {
  beforeAll(async () => {
    // dist/ is fresh (the suite's global set-up builds it), so pack without running prepare again.
    execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], { cwd: PACKAGE_ROOT, stdio: 'ignore' });
    const tarball = readdirSync(work).find((f) => /^faultline-.*\.tgz$/.test(f))!;
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await execa('npm', ['install', '--no-audit', '--no-fund', path.join(work, tarball)], { cwd: app, timeout: 300_000 });
  }, 360_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('npx faultline --version prints the version', async () => {
    const r = await npx(['faultline', '--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('npx faultline check checks a history file', async () => {
    const file = path.join(app, 'h.edn');
    writeFileSync(file, '{:process 0 :type :invoke :f :write :value 1}\n{:process 0 :type :ok :f :write :value 1}\n{:process 1 :type :invoke :f :read :value nil}\n{:process 1 :type :ok :f :read :value 2}\n');
    const r = await npx(['faultline', 'check', file, '--model', 'register', '--init', '0']);
    expect(r.stdout).toContain('INVALID');
    expect(r.exitCode).toBe(1);
  });

  it('npx faultline test runs an in-process store to a verdict', async () => {
    // Enough ops in 2 s that some compare-and-sets succeed (stats calls an op kind that never
    // succeeded invalid).
    const r = await npx(['faultline', 'test', '--db', 'inprocess:atom', '--nemesis', 'none', '--time-limit', '2', '--rate', '300', '--no-progress'], 120_000);
    expect(r.stderr).toMatch(/^VALID$/m);
    expect(r.exitCode).toBe(0);
  });

  it('the library entry points import, and a user module type-checks against the declarations', async () => {
    const probe = path.join(app, 'probe.mjs');
    writeFileSync(
      probe,
      "import { defineDb, opt, run, planTest, testSpec } from 'faultline';\n" +
        "import { compose, linearizable } from 'faultline/checkers';\nimport { makeNemesisPackage } from 'faultline/nemeses';\n" +
        "import { DaemonDb, tcpProbe } from 'faultline/db';\nimport { clients, limit } from 'faultline/generators';\n" +
        'console.log([defineDb, opt.integer, run, planTest, testSpec, compose, linearizable, makeNemesisPackage, DaemonDb, tcpProbe, clients, limit].every((f) => typeof f === "function"));\n',
    );
    const r = await execa(process.execPath, [probe], { cwd: app, reject: false });
    expect(r.stdout.trim()).toBe('true');

    writeFileSync(
      path.join(app, 'my-db.ts'),
      "import { defineDb, opt, type ClientFactory } from 'faultline';\n" +
        'const client: ClientFactory = { open: (ctx) => ({ invoke: async () => ({ type: "ok", value: ctx.node.address }), close() {} }) };\n' +
        "export default defineDb({ name: 'mine', description: 'a test', workloads: ['register'], providers: ['none'],\n" +
        "  options: { port: opt.integer({ doc: 'port', default: 1, min: 1 }) },\n" +
        '  create({ options }) { const p: number = options.port; void p; return { db: null, client: () => client }; } });\n',
    );
    writeFileSync(
      path.join(app, 'tsconfig.json'),
      // As a user with @types/node installed (the declarations mention Node's types).
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2023', lib: ['ES2023'], strict: true, noEmit: true, skipLibCheck: false, typeRoots: [path.join(PACKAGE_ROOT, 'node_modules', '@types')], types: ['node'] },
        files: ['my-db.ts'],
      }),
    );
    const tsc = path.join(PACKAGE_ROOT, 'node_modules', '.bin', 'tsc');
    const t = await execa(tsc, ['-p', app], { cwd: app, reject: false });
    expect(t.stdout + t.stderr).toBe('');
    expect(t.exitCode).toBe(0);
  }, 120_000);

  it('a user module as --db runs to a verdict', async () => {
    const r = await npx(['faultline', 'test', '--db', './my-db.ts', '--workload', 'register', '--nemesis', 'none', '--time-limit', '1', '--no-progress'], 120_000);
    // The module answers every read with the node's address: not a register, and the checker says so.
    expect(r.stderr).toContain('INVALID');
    expect(r.exitCode).toBe(1);
  }, 120_000);

  it.skipIf(!IS_ROOT)('as root, npx faultline test runs the default test on local namespaces', async () => {
    const r = await npx(['faultline', 'test', '--time-limit', '10', '--nemesis-interval', '3', '--no-progress', '--opt', 'local.prefix=flpk', '--opt', 'local.subnet=10.219.9.0/24'], 300_000);
    expect(r.stderr).toMatch(/\nVALID$/);
    expect(r.exitCode).toBe(0);
  }, 300_000);
});
