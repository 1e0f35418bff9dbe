// The results browser over a temporary results directory: listing, filtering, pass rates of like
// runs, run pages and files, a test's history and two runs side by side; refusal of every path
// that reaches outside the directory and of non-loopback Host names; a CSP on every response.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVED_POLICY } from '../csp.ts';
import { answersHost, startServer, type RunningServer } from './server.ts';
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

function rawGet(base: string, path: string, method = 'GET', hostHeader?: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, ...(hostHeader === undefined ? {} : { headers: { host: hostHeader } }) }, (res) => {
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

  it('lists runs newest first with verdict, anomaly types and duration, and pass rates of like runs', async () => {
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

  it('answers only loopback Host names, so a DNS-rebinding page cannot read the runs', async () => {
    const port = new URL(srv.url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST', '127.1.2.3']) {
      expect((await rawGet(srv.url, '/api/runs', 'GET', host)).status, host).toBe(200);
    }
    for (const host of [`evil.example:${port}`, 'evil.example', '127.0.0.1.evil.example', 'localhost.evil.example', `[::2]:${port}`, 'a:b:c']) {
      const r = await rawGet(srv.url, '/api/runs', 'GET', host);
      expect(r.status, host).toBe(421);
      expect(r.body).not.toContain('reg/');
    }
  });

  it('answers any Host only when bound to a non-loopback address on purpose', () => {
    expect(answersHost('127.0.0.1', 'evil.example')).toBe(false);
    expect(answersHost('::1', 'localhost:8080')).toBe(true);
    expect(answersHost('localhost', undefined)).toBe(false);
    expect(answersHost('0.0.0.0', 'results.example:8080')).toBe(true);
    expect(answersHost('10.1.2.3', 'evil.example')).toBe(true);
  });

  it('sends its Content-Security-Policy on every response, pages, files, errors and redirects', async () => {
    for (const path of ['/', '/api/runs', '/runs/reg/20261125T110000.000Z/', '/tests/reg/', '/files/reg/latest/report.html', '/files/reg/latest/results.json', '/files/reg', '/nope', '/files/../secret.txt']) {
      const r = await rawGet(srv.url, path);
      expect(r.headers['content-security-policy'], path).toBe(SERVED_POLICY);
    }
    expect((await rawGet(srv.url, '/', 'GET', 'evil.example')).headers['content-security-policy']).toBe(SERVED_POLICY);
    expect(SERVED_POLICY).toContain("default-src 'none'");
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

/** A run with the summary.json of a real run: config, verdicts, counts, latency and faults. */
function writeSummarizedRun(root: string, test: string, stamp: string, o: { db: string; valid: boolean; bug?: string[]; options?: Record<string, string>; counts?: Record<string, number>; p99?: number; faults?: Array<[string, number, number]> }): void {
  const dir = join(root, test, stamp);
  mkdirSync(dir, { recursive: true });
  const startedAt = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:00:00.000Z`;
  writeFileSync(join(dir, 'test.json'), JSON.stringify({ options: { name: test, db: o.db, workload: 'register', nemesis: ['partition'], bug: o.bug ?? [], options: o.options ?? {} }, seed: 7, startedAt }));
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ valid: o.valid }));
  const counts = o.counts ?? {};
  writeFileSync(
    join(dir, 'summary.json'),
    JSON.stringify({
      valid: o.valid,
      anomalyTypes: Object.keys(counts),
      anomalyCounts: counts,
      durationS: 60,
      ops: { ok: 90, fail: 5, info: 5 },
      replay: `faultline test --name ${test} --seed 7`,
      checkers: [
        { name: 'linearizable', valid: o.valid, anomalyTypes: Object.keys(counts), anomalyCounts: counts },
        { name: 'stats', valid: true, anomalyTypes: [], anomalyCounts: {} },
      ],
      latencyMs: { read: { count: 40, p50: 2, p95: 5, p99: o.p99 ?? 9, max: 20 } },
      faultSchedule: (o.faults ?? []).map(([kind, startS, endS]) => ({ kind, target: 'n1 ↛ n2', startS, endS })),
    }),
  );
}

describe('faultline serve: like runs, test history, comparison', () => {
  let tmp: string;
  let root: string;
  let srv: RunningServer;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'faultline-serve-'));
    root = join(tmp, 'results');
    writeSummarizedRun(root, 'raft', '20261201T100000.000Z', { db: 'reference:raft', valid: true, options: { 'local.prefix': 'ab' }, faults: [['partition', 10, 20]] });
    writeSummarizedRun(root, 'raft', '20261201T110000.000Z', { db: 'reference:raft', valid: true, options: { 'local.prefix': 'cd', 'nemesis.spacing': 'fixed' } });
    writeSummarizedRun(root, 'raft', '20261201T120000.000Z', { db: 'reference:raft', valid: false, bug: ['stale-reads'], counts: { nonlinearizable: 1, 'stale-read': 12 }, p99: 30, faults: [['partition', 5, 15], ['kill', 30, 40]] });
    writeSummarizedRun(root, 'quorum', '20261201T100000.000Z', { db: 'reference:quorum', valid: false, options: { 'quorum.r': '1', 'quorum.w': '1' }, counts: { 'stale-read': 40 } });
    writeSummarizedRun(root, 'quorum', '20261201T110000.000Z', { db: 'reference:quorum', valid: true, options: { 'quorum.r': '2', 'quorum.w': '2' } });
    srv = await startServer({ root });
  });

  afterAll(async () => {
    await srv?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('averages only like runs: db, workload, nemesis, bug flags and promise options, not where the nodes ran', async () => {
    const doc = JSON.parse((await rawGet(srv.url, '/api/runs')).body) as { passRates: Array<Record<string, unknown>> };
    const groups = doc.passRates.map((p) => [p['label'], p['runs'], p['valid']]);
    expect(groups).toEqual([
      ['reference:quorum register / partition, quorum.r=1, quorum.w=1', 1, 0],
      ['reference:quorum register / partition, quorum.r=2, quorum.w=2', 1, 1],
      ['reference:raft register / partition', 2, 2],
      ['reference:raft register / partition, bug stale-reads', 1, 0],
    ]);
    const page = (await rawGet(srv.url, '/')).body;
    expect(page.match(/<tbody><tr><td>reference:quorum/)).not.toBeNull();
    expect(page).toContain('nonlinearizable 1, stale-read 12');
  });

  it("shows a test's verdicts across runs, oldest to newest, with the newest two preselected to compare", async () => {
    const { status, body } = await rawGet(srv.url, '/tests/raft/');
    expect(status).toBe(200);
    expect(body.match(/<tr data-verdict="(\w+)"/g)).toEqual(['<tr data-verdict="invalid"', '<tr data-verdict="valid"', '<tr data-verdict="valid"']);
    expect(body.match(/<span class="strip" id="verdict-strip">(.*?)<\/span>/)![1]!.match(/class="(\w+)"/g)).toEqual(['class="valid"', 'class="valid"', 'class="invalid"']);
    expect(body).toContain('name="a" value="raft/20261201T110000.000Z" checked');
    expect(body).toContain('name="b" value="raft/20261201T120000.000Z" checked');
    expect((await rawGet(srv.url, '/tests/nope/')).status).toBe(404);
    expect((await rawGet(srv.url, '/tests/%E0%A4%A/')).status).toBe(400);
  });

  it('compares two runs side by side: verdicts, checkers, anomaly counts, latency and fault schedules', async () => {
    const { status, body } = await rawGet(srv.url, '/compare?a=raft/20261201T100000.000Z&b=raft/20261201T120000.000Z');
    expect(status).toBe(200);
    expect(body).toMatch(/<tr class="differs"><th>verdict<\/th><td><span class="v valid">valid<\/span><\/td><td><span class="v invalid">invalid<\/span>/);
    expect(body).toMatch(/<tr class="differs" data-checker="linearizable">/);
    expect(body).toMatch(/<tr class="same" data-checker="stats">/);
    expect(body).toMatch(/data-type="stale-read"><th>stale-read<\/th><td class="num">0<\/td><td class="num">12<\/td><td class="num worse">\+12<\/td>/);
    expect(body).toMatch(/data-f="read" data-q="p99"><th>read p99<\/th><td class="num">9<\/td><td class="num">30<\/td><td class="num worse">\+233 %<\/td>/);
    expect(body.match(/<rect /g)).toHaveLength(3);
    expect(body).toContain('<th>A (1 windows)</th><th>B (2 windows)</th>');
    expect((await rawGet(srv.url, '/compare?a=raft/20261201T100000.000Z&b=../etc')).status).toBe(404);
    expect((await rawGet(srv.url, '/compare?a=raft/20261201T100000.000Z')).status).toBe(404);
  });
});
