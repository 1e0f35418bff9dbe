/**
 * `faultline serve`: a small HTTP server over a results directory. Routes:
 *   /                 the run list and pass-rate table (?q=words&verdict=valid|invalid|unknown|none)
 *   /api/runs         the same as JSON {runs, passRates}
 *   /runs/<t>/<s>/    one run: its files and a link to its report
 *   /tests/<t>/       one test's runs, oldest to newest, with a form to compare two
 *   /compare?a=<t>/<s>&b=<t>/<s>   two runs side by side
 *   /files/<path>     a file under the results directory, as is
 * Only GET and HEAD; only files under the results directory (see safe-path.ts). Binds to
 * 127.0.0.1 unless told otherwise, and then answers only requests whose Host is a loopback name
 * (so a web page cannot reach it by DNS rebinding). Every response carries a Content-Security-
 * Policy that lets pages and reports run their own inline scripts and styles and nothing else:
 * no request leaves a page.
 */
import { createReadStream, readdirSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative } from 'node:path';
import { SERVED_POLICY } from '../csp.ts';
import { comparePage } from './compare-page.ts';
import { indexPage, runPage, testPage, urlPath, type FileItem } from './pages.ts';
import { passRates, readRunSummary, scanRuns } from './runs.ts';
import { resolveUnder } from './safe-path.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.edn': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.css': 'text/css; charset=utf-8',
};

export interface ServeOptions {
  /** The results directory. */
  root: string;
  /**
   * Default 127.0.0.1. On a loopback address only loopback Host names are answered; on any
   * other address (bound there on purpose, to share the results) every Host is.
   */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const SECURITY_HEADERS = { 'content-security-policy': SERVED_POLICY, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', head = false): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(head ? undefined : body);
}

/** Whether an address is a loopback one (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/** The host name of a Host header (`name`, `name:port`, `[v6]:port`), or undefined when malformed. */
function hostName(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^(\[[0-9a-fA-F:.]+\]|[^:\[\]]+)(?::\d{1,5})?$/.exec(header.trim());
  return m ? m[1] : undefined;
}

function listFiles(dir: string, rel = '', depth = 0, out: FileItem[] = []): FileItem[] {
  let entries;
  try {
    entries = readdirSync(join(dir, rel), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (out.length >= 500) break;
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory() && depth < 4) listFiles(dir, p, depth + 1, out);
    else if (e.isFile()) out.push({ path: p, bytes: statSync(join(dir, p)).size });
  }
  return out;
}

/**
 * Whether a server bound to `bound` answers a request with this Host header: on a loopback
 * address only loopback names (a DNS-rebinding page has another name); bound elsewhere on
 * purpose, any.
 */
export function answersHost(bound: string, hostHeader: string | undefined): boolean {
  if (!isLoopback(bound)) return true;
  const name = hostName(hostHeader);
  return name !== undefined && isLoopback(name);
}

function handle(realRoot: string, bound: string, req: IncomingMessage, res: ServerResponse): void {
  const head = req.method === 'HEAD';
  if (!answersHost(bound, req.headers.host)) {
    send(res, 421, `this server answers only to loopback names (localhost, 127.0.0.1, [::1]), not to Host ${JSON.stringify(req.headers.host ?? '')}\n`, undefined, head);
    return;
  }
  if (req.method !== 'GET' && !head) {
    res.setHeader('allow', 'GET, HEAD');
    send(res, 405, 'only GET and HEAD\n');
    return;
  }
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  if (path === '/' || path === '/index.html') {
    const runs = scanRuns(realRoot);
    const filter = { q: query.get('q') ?? '', verdict: query.get('verdict') ?? '' };
    send(res, 200, indexPage(realRoot, runs, passRates(runs), filter), 'text/html; charset=utf-8', head);
    return;
  }
  if (path === '/api/runs') {
    const runs = scanRuns(realRoot);
    send(res, 200, JSON.stringify({ runs, passRates: passRates(runs) }), 'application/json; charset=utf-8', head);
    return;
  }
  if (path === '/favicon.ico') {
    res.writeHead(204, SECURITY_HEADERS).end();
    return;
  }
  if (path === '/compare') {
    const runs = scanRuns(realRoot);
    const [a, b] = [query.get('a'), query.get('b')].map((p) => runs.find((r) => r.path === p));
    if (!a || !b) {
      send(res, 404, 'compare needs two runs: /compare?a=<test>/<timestamp>&b=<test>/<timestamp>\n', undefined, head);
      return;
    }
    const page = comparePage({ run: a, summary: readRunSummary(realRoot, a) }, { run: b, summary: readRunSummary(realRoot, b) });
    send(res, 200, page, 'text/html; charset=utf-8', head);
    return;
  }
  const testMatch = /^\/tests\/([^/]+)\/?$/.exec(path);
  if (testMatch) {
    let test: string;
    try {
      test = decodeURIComponent(testMatch[1]!);
    } catch {
      send(res, 400, 'malformed percent-encoding\n', undefined, head);
      return;
    }
    const runs = scanRuns(realRoot).filter((r) => r.test === test);
    if (!runs.length) {
      send(res, 404, 'no runs of that test\n', undefined, head);
      return;
    }
    send(res, 200, testPage(test, runs), 'text/html; charset=utf-8', head);
    return;
  }
  const route = path.startsWith('/files/') ? 'files' : path.startsWith('/runs/') ? 'runs' : undefined;
  if (!route) {
    send(res, 404, 'not found\n', undefined, head);
    return;
  }
  const target = resolveUnder(realRoot, path.slice(route.length + 2));
  if (!target.ok) {
    send(res, target.status, `${target.reason}\n`, undefined, head);
    return;
  }
  const st = statSync(target.path);
  const rel = relative(realRoot, target.path).split('\\').join('/');
  if (route === 'runs' || st.isDirectory()) {
    if (!st.isDirectory()) {
      send(res, 404, 'not a run directory\n', undefined, head);
      return;
    }
    if (route === 'files' || !path.endsWith('/')) {
      res.writeHead(302, { ...SECURITY_HEADERS, location: `/runs/${urlPath(rel)}/` }).end();
      return;
    }
    const run = scanRuns(realRoot).find((r) => r.path === rel);
    send(res, 200, runPage(run, rel, listFiles(target.path)), 'text/html; charset=utf-8', head);
    return;
  }
  if (!st.isFile()) {
    send(res, 404, 'not a file\n', undefined, head);
    return;
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': TYPES[extname(target.path).toLowerCase()] ?? 'application/octet-stream',
    'content-length': st.size,
  });
  if (head) {
    res.end();
    return;
  }
  createReadStream(target.path).on('error', () => res.destroy()).pipe(res);
}

/** Starts the server; resolves once it listens. */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const realRoot = realpathSync(opts.root);
  const host = opts.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    try {
      handle(realRoot, host, req, res);
    } catch (e) {
      if (!res.headersSent) send(res, 500, `internal error: ${(e as Error).message}\n`);
      else res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost}:${addr.port}/`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
