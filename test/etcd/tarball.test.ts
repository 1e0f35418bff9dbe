// etcd installed from a release tarball (--opt etcd.tarball), for real: a tarball in the release
// layout is built from this machine's etcd and etcdctl and served over HTTP on 127.0.0.1.
// Bad input (a URL that does not exist or never answers, a path that does not exist, a file that
// is not a tar, a tar that is not an etcd release, another version than requested) ends the CLI
// with one line and exit 254 before any node exists. On a 3-node local cluster the members run
// the unpacked binary, a second install reuses it, and a tarball whose etcd reports another
// version than its name is refused; a whole run through the runner is linearizable.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeContext } from '../../src/core/context.ts';
import { UsageError } from '../../src/core/errors.ts';
import type { Cluster } from '../../src/core/provider.ts';
import type { TestSpec } from '../../src/core/test.ts';
import { EtcdDb } from '../../src/db/etcd/db.ts';
import { installEtcdRelease, stageEtcdRelease } from '../../src/db/etcd/tarball.ts';
import { runLeftovers } from '../../src/providers/local/cleanup.ts';
import { localProvider } from '../../src/providers/local/provider.ts';
import { SILENT } from '../../src/runner/context.ts';
import { planNamed } from '../plan-helpers.ts';
import { runTest } from '../../src/runner/run-test.ts';
import { SKIP_REASON, dbContext, once, setUpEveryNode, tearDownEveryNode } from './helpers.ts';

const PREFIX = 'flet';
const RUN_PREFIX = 'fletr';
const BIN = path.join(import.meta.dirname, '..', '..', 'bin', 'faultline.js');
// Made only when the tests run: a skipped suite has no afterAll to remove it.
const work = SKIP_REASON === undefined ? mkdtempSync(path.join(tmpdir(), 'faultline-etcd-tarball-')) : '';
const installDir = path.join(work, 'install');
const served = path.join(work, 'served');

/** Packs the machine's etcd binaries as etcd-v<name>-linux-amd64/{etcd,etcdctl} into served/. */
function releaseTarball(name: string, file: string): string {
  const top = `etcd-v${name}-linux-amd64`;
  const dir = path.join(work, 'build', top);
  mkdirSync(dir, { recursive: true });
  copyFileSync('/usr/bin/etcd', path.join(dir, 'etcd'));
  copyFileSync('/usr/bin/etcdctl', path.join(dir, 'etcdctl'));
  execFileSync('tar', ['-czf', path.join(served, file), '-C', path.join(work, 'build'), top]);
  rmSync(dir, { recursive: true });
  return path.join(served, file);
}

describe.skipIf(SKIP_REASON !== undefined)(`etcd from a release tarball (${SKIP_REASON ?? 'root, etcd present'})`, () => {
  const version = /etcd Version:\s*(\S+)/.exec(execFileSync('/usr/bin/etcd', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  const requests: string[] = [];
  let base = '';
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url === '/silent.tar.gz') return; // never answers
    const file = path.join(served, path.basename(req.url ?? ''));
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'Content-Type': 'application/gzip' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  let good = '';
  let lying = '';

  beforeAll(async () => {
    mkdirSync(served, { recursive: true });
    good = releaseTarball(version, `etcd-v${version}-linux-amd64.tar.gz`);
    lying = releaseTarball('3.5.99', 'etcd-v3.5.99-linux-amd64.tar.gz');
    writeFileSync(path.join(served, 'not-a-tar.tar.gz'), 'just text\n');
    writeFileSync(path.join(work, 'README'), 'no etcd here\n');
    execFileSync('tar', ['-czf', path.join(served, 'other.tar.gz'), '-C', work, 'README']);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(work, { recursive: true, force: true });
  });

  describe('bad input: one line, exit 254, before any node exists', () => {
    // The CLI's own temporary directory, where downloads are staged.
    const cliTmp = path.join(work, 'cli-tmp');
    beforeAll(() => mkdirSync(cliTmp, { recursive: true }));
    const cli = (tarball: string, ...extra: string[]) =>
      execa('node', [BIN, 'test', '--db', 'etcd', '--nodes', '3', '--time-limit', '5', '--no-progress', '--results-dir', path.join(work, 'results'),
        '--opt', `local.prefix=${PREFIX}`, '--opt', 'local.subnet=10.218.0.0/24', '--opt', `etcd.tarball=${tarball}`, '--opt', `etcd.install-dir=${installDir}`, ...extra], { reject: false, env: { TMPDIR: cliTmp } });

    const cases: [string, () => string, string[], RegExp][] = [
      ['a URL that does not exist', () => `${base}/etcd-v9.9.9-linux-amd64.tar.gz`, [], /^faultline: --opt etcd\.tarball: http:\/\/127\.0\.0\.1:\d+\/etcd-v9\.9\.9-linux-amd64\.tar\.gz answered HTTP 404 Not Found$/],
      ['a URL that never answers', () => `${base}/silent.tar.gz`, ['--opt', 'etcd.ready-timeout=1'], /^faultline: --opt etcd\.tarball: http:\/\/\S+\/silent\.tar\.gz sent nothing for 1 s; /],
      ['a path that does not exist', () => path.join(work, 'missing.tar.gz'), [], /^faultline: --opt etcd\.tarball: \S+\/missing\.tar\.gz is not a file on this machine$/],
      ['a file that is not a tar', () => `${base}/not-a-tar.tar.gz`, [], /^faultline: --opt etcd\.tarball: \S+\/not-a-tar\.tar\.gz is not a gzip tar archive/],
      ['a tar that is not an etcd release', () => path.join(served, 'other.tar.gz'), [], /^faultline: --opt etcd\.tarball: \S+\/other\.tar\.gz is not an etcd release: it holds no etcd-vX\.Y\.Z-linux-<arch>\/etcd$/],
      ['a version other than requested', () => good, ['--opt', 'etcd.version=9.9'], /^faultline: --opt etcd\.tarball: \S+ is etcd \d+\.\d+\.\d+, not the requested 9\.9; /],
    ];
    for (const [what, source, extra, message] of cases) {
      it(what, async () => {
        const r = await cli(source(), ...extra);
        expect(r.exitCode).toBe(254);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr.trim()).toMatch(message);
        expect(await runLeftovers(PREFIX)).toEqual([]);
      }, 30_000);
    }

    it('leaves no download behind and installs nothing', () => {
      expect(readdirSync(cliTmp).filter((f) => f.startsWith('faultline-release-'))).toEqual([]);
      expect(() => readdirSync(installDir)).toThrow();
    });
  });

  describe('on a 3-node local cluster', () => {
    const provider = localProvider({ prefix: PREFIX, subnet: '10.218.0.0/24', nodes: 3, workDir: `/tmp/faultline-${PREFIX}` });
    const runDir = path.join(work, 'run');
    let cluster: Cluster;
    const ctx = () => dbContext(cluster, runDir);

    beforeAll(async () => {
      cluster = await provider.up();
    }, 60_000);

    afterAll(async () => {
      await provider.down();
      expect(await runLeftovers(PREFIX)).toEqual([]);
    });

    it('refuses a tarball whose etcd reports another version than its name', async () => {
      const db = new EtcdDb({ opTimeoutMs: 1000, tarball: lying, installDir });
      await db.prepare();
      const e = await db.setup(nodeContext(ctx(), cluster.nodes[0]!)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toBe(`n1: the etcd in ${lying} reports version ${version}, but its directory says 3.5.99; is it an etcd release?`);
      await db.teardown(nodeContext(ctx(), cluster.nodes[0]!));
    });

    it('members run the unpacked etcd, downloaded once; a second install reuses it', async () => {
      const url = `${base}/etcd-v${version}-linux-amd64.tar.gz`;
      const fetched = () => requests.filter((r) => r.endsWith(`etcd-v${version}-linux-amd64.tar.gz`)).length;
      const before = fetched();
      const db = new EtcdDb({ opTimeoutMs: 3000, tarball: url, installDir });
      try {
        const t0 = performance.now();
        await setUpEveryNode(db, ctx());
        console.log(`etcd-tarball: fetched, unpacked and 3 members ready in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
        expect(fetched() - before).toBe(1);
        expect(path.dirname(db.binary)).toMatch(new RegExp(`^${installDir}/etcd-v${version.replaceAll('.', '\\.')}-[0-9a-f]{12}$`));
        expect(readdirSync(path.dirname(db.binary)).sort()).toEqual(['.sha256', 'etcd', 'etcdctl']);
        for (const n of cluster.nodes) {
          const exes = await Promise.all((await cluster.nodeControl!.pids(n.name)).map((pid) => execa('readlink', [`/proc/${pid}/exe`], { reject: false })));
          expect(exes.map((x) => x.stdout)).toContain(db.binary);
        }
        const reg = db.client('register')!;
        expect(await once(reg, ctx(), 'n1', 'write', 5)).toEqual({ type: 'ok' });
        expect(await once(reg, ctx(), 'n3', 'read', null)).toEqual({ type: 'ok', value: 5 });
      } finally {
        await tearDownEveryNode(db, cluster ? ctx() : undefined);
      }
      const inode = execFileSync('stat', ['-c', '%i', db.binary], { encoding: 'utf8' });
      const again = await stageEtcdRelease(good, { installDir, idleMs: 5000 });
      expect(await installEtcdRelease(cluster.remote('n2'), again)).toBe(db.binary);
      expect(execFileSync('stat', ['-c', '%i', db.binary], { encoding: 'utf8' })).toBe(inode);
    }, 60_000);
  });

  it('a whole register run under partitions on the tarball etcd is linearizable', async () => {
    const o: TestSpec = {
      name: 'etcd-tarball', db: 'etcd', workload: 'register', nemesis: ['partition'], nemesisIntervalS: 3, provider: 'local',
      nodes: ['n1', 'n2', 'n3'], concurrency: 6, timeLimitS: 10, rate: 50, opTimeoutMs: 2000, recoveryS: 5, seed: 8,
      bug: [], resultsDir: path.join(work, 'results'), checkerTimeS: 60,
      options: { 'local.prefix': RUN_PREFIX, 'local.subnet': '10.218.3.0/24', 'etcd.tarball': `${base}/etcd-v${version}-linux-amd64.tar.gz`, 'etcd.install-dir': installDir },
    };
    const plan = await planNamed(o);
    const out = await runTest(plan, { log: SILENT });
    const checkers = (out.results['checkers'] ?? {}) as Record<string, { valid: unknown; anomalyTypes?: string[]; error?: string }>;
    const notValid = Object.entries(checkers).filter(([, r]) => r.valid !== true).map(([name, r]) => `${name}: ${(r.anomalyTypes ?? []).join('/') || r.error || String(r.valid)}`);
    console.log(`etcd-tarball run: valid ${String(out.valid)}; not valid: [${notValid.join(', ')}]; errors ${JSON.stringify(out.errors)}`);
    expect(out.errors, `run errors: ${out.errors.join('; ')}`).toEqual([]);
    expect((plan.db as EtcdDb).binary.startsWith(`${installDir}/etcd-v${version}-`)).toBe(true);
    expect(checkers['linearizable']?.valid).toBe(true);
    expect(out.valid, `not valid: ${notValid.join(', ')}`).toBe(true);
    expect(await runLeftovers(RUN_PREFIX)).toEqual([]);
  }, 90_000);
});
