// The results browser over a temporary results directory: listing, filtering, pass rates, run
// pages and files; and refusal of every path that reaches outside the directory.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './server.ts';
import { isInside, resolveUnder } from './safe-path.ts';
import { realpathSync } from 'node:fs';

const SECRET = 'TOP-SECRET-CONTENT';

function writeRun(root: string, test: string, stamp: string, opts: { valid: boolean | 'unknown'; workload: string; nemesis: string[]; anomalyTypes?: string[]; summary?: boolean }): void {
  const dir = join(root, test, stamp);
  mkdirSync(join(dir, 'nodes', 'n1'), { recursive: true });
  writeFileSync(join(dir, 'test.json'), JSON.stringify({ options: { name: test, workload: opts.workload, nemesis: opts.nemesis, db: 'reference:raft' }, startedAt: `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:00:00.000Z` }));
  writeFileSync(join(dir, 'history.jsonl'), '{"index":0,"time":0,"process":0,"type":"invoke","f":"read","value":null}\n');
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ valid: opts.valid, anomalyTypes: opts.anomalyTypes ?? [], checkers: { perf: { valid: true, durationS: 12.5 } } }));
  writeFileSync(join(dir, 'report.html'), `<!doctype html><title>${test}</title>`);
  writeFileSync(join(dir, 'nodes', 'n1', 'db.log'), 'log line\n');
  if (opts.summary) writeFileSync(join(dir, 'summary.json'), JSON.stringify({ valid: opts.valid, anomalyTypes: opts.anomalyTypes ?? [], durationS: 3 }));
}

function rawGet(base: string, path: string, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('faultline serve', () => {
  let tmp: string;
  let root: string;
  let srv: RunningServer;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'faultline-serve-'));
    root = join(tmp, 'results');
    writeFileSync(join(tmp, 'secret.txt'), SECRET);
    mkdirSync(join(tmp, 'outside'));
    writeFileSync(join(tmp, 'outside', 'secret.txt'), SECRET);
    writeRun(root, 'reg', '20261125T100000.000Z', { valid: true, workload: 'register', nemesis: ['partition'] });
    writeRun(root, 'reg', '20261125T110000.000Z', { valid: false, workload: 'register', nemesis: ['partition'], anomalyTypes: ['nonlinearizable'] });
    writeRun(root, 'reg', '20261125T120000.000Z', { valid: true, workload: 'register', nemesis: ['partition'], summary: true });
    writeRun(root, 'bank', '20261125T090000.000Z', { valid: 'unknown', workload: 'bank', nemesis: [] });
    symlinkSync('20261125T120000.000Z', join(root, 'reg', 'latest'));
    symlinkSync(join(tmp, 'secret.txt'), join(root, 'evil-file'));
    symlinkSync(join(tmp, 'outside'), join(root, 'evil-dir'));
    symlinkSync('../../../secret.txt', join(root, 'reg', '20261125T100000.000Z', 'up.txt'));
    srv = await startServer({ root });
  });

  afterAll(async () => {
    await srv?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('binds to 127.0.0.1 by default', () => {
    expect(srv.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('lists runs newest first with verdict, anomaly types and duration, and pass rates per workload × nemesis', async () => {
    const { status, body } = await rawGet(srv.url, '/api/runs');
    expect(status).toBe(200);
    const doc = JSON.parse(body) as { runs: Array<Record<string, unknown>>; passRates: Array<Record<string, unknown>> };
    expect(doc.runs.map((r) => r['path'])).toEqual(['reg/20261125T120000.000Z', 'reg/20261125T110000.000Z', 'reg/20261125T100000.000Z', 'bank/20261125T090000.000Z']);
    expect(doc.runs[1]).toMatchObject({ valid: false, anomalyTypes: ['nonlinearizable'], durationS: 12.5 });
    expect(doc.runs[0]).toMatchObject({ valid: true, durationS: 3 });
    const reg = doc.passRates.find((p) => p['workload'] === 'register')!;
    expect(reg).toMatchObject({ nemesis: 'partition', runs: 3, valid: 2, invalid: 1, unknown: 0 });
    expect(reg['rate']).toBeCloseTo(2 / 3);
    expect((reg['recent'] as Array<{ valid: unknown }>).map((r) => r.valid)).toEqual([true, false, true]);
  });

  it('filters the run list on the server when JavaScript is off', async () => {
    const all = await rawGet(srv.url, '/');
    expect(all.status).toBe(200);
    expect(all.body.match(/<tr data-verdict=/g)).toHaveLength(4);
    const invalid = await rawGet(srv.url, '/?verdict=invalid');
    expect(invalid.body.match(/<tr data-verdict=/g)).toHaveLength(1);
    expect(invalid.body).toContain('nonlinearizable');
    const bank = await rawGet(srv.url, '/?q=bank');
    expect(bank.body.match(/<tr data-verdict="(\w+)"/g)).toEqual(['<tr data-verdict="unknown"']);
  });

  it("shows a run's files and serves them, also through the latest link", async () => {
    const page = await rawGet(srv.url, '/runs/reg/20261125T110000.000Z/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('/files/reg/20261125T110000.000Z/report.html');
    expect(page.body).toContain('nodes/n1/db.log');
    const log = await rawGet(srv.url, '/files/reg/20261125T110000.000Z/nodes/n1/db.log');
    expect(log).toMatchObject({ status: 200, body: 'log line\n' });
    const latest = await rawGet(srv.url, '/files/reg/latest/results.json');
    expect(latest.status).toBe(200);
    expect(JSON.parse(latest.body)).toMatchObject({ valid: true });
    expect((await rawGet(srv.url, '/files/reg/latest/report.html')).headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('refuses methods other than GET and HEAD', async () => {
    expect((await rawGet(srv.url, '/', 'POST')).status).toBe(405);
    expect((await rawGet(srv.url, '/files/reg/latest/test.json', 'HEAD')).status).toBe(200);
  });

  const attacks = [
    '/files/../secret.txt',
    '/files/../../secret.txt',
    '/files/reg/../../secret.txt',
    '/files/%2e%2e/secret.txt',
    '/files/%2E%2E/secret.txt',
    '/files/.%2e/secret.txt',
    '/files/%2e%2e%2fsecret.txt',
    '/files/..%2fsecret.txt',
    '/files/..%2Fsecret.txt',
    '/files/..%5csecret.txt',
    '/files/reg/%2e%2e/%2e%2e/secret.txt',
    '/files/%252e%252e/secret.txt',
    '/files/%c0%ae%c0%ae/secret.txt',
    '/files/%00/secret.txt',
    '/files/evil-file',
    '/files/evil-dir/secret.txt',
    '/runs/evil-dir/',
    '/files/reg/20261125T100000.000Z/up.txt',
    '/runs/../',
    '/runs/%2e%2e/',
    '/../secret.txt',
    '/files//secret.txt',
    '/files/' + encodeURIComponent(join(tmpdir(), 'secret.txt')),
  ];
  it.each(attacks)('refuses %s', async (path) => {
    const { status, body } = await rawGet(srv.url, path);
    expect([400, 403, 404]).toContain(status);
    expect(body).not.toContain(SECRET);
  });

  it('never resolves an arbitrary URL path outside the directory (property)', () => {
    const real = realpathSync(root);
    const piece = fc.constantFrom('..', '.', '%2e', '%2E', '%2f', '%5c', '/', '\\', 'reg', 'evil-dir', 'evil-file', 'latest', '%00', '%', 'secret.txt', 'up.txt', '20261125T100000.000Z');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), (parts) => {
        const r = resolveUnder(real, parts.join(''));
        return !r.ok || isInside(real, r.path);
      }),
      { numRuns: 2000 },
    );
  });
});
