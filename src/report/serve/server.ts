/**
 * `faultline serve`: a small HTTP server over a results directory. Routes:
 *   /                 the run list and pass-rate table (?q=words&verdict=valid|invalid|unknown|none)
 *   /api/runs         the same as JSON {runs, passRates}
 *   /runs/<t>/<s>/    one run: its files and a link to its report
 *   /files/<path>     a file under the results directory, as is
 * Only GET and HEAD; only files under the results directory (see safe-path.ts). Binds to
 * 127.0.0.1 unless told otherwise.
 */
import { createReadStream, readdirSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative } from 'node:path';
import { indexPage, runPage, urlPath, type FileItem } from './pages.ts';
import { passRates, scanRuns } from './runs.ts';
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
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8', head = false): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  res.end(head ? undefined : body);
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

function handle(realRoot: string, req: IncomingMessage, res: ServerResponse): void {
  const head = req.method === 'HEAD';
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
    res.writeHead(204).end();
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
      res.writeHead(302, { location: `/runs/${urlPath(rel)}/` }).end();
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
    'content-type': TYPES[extname(target.path).toLowerCase()] ?? 'application/octet-stream',
    'content-length': st.size,
    'x-content-type-options': 'nosniff',
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
  const server = createServer((req, res) => {
    try {
      handle(realRoot, req, res);
    } catch (e) {
      if (!res.headersSent) send(res, 500, `internal error: ${(e as Error).message}\n`);
      else res.destroy();
    }
  });
  const host = opts.host ?? '127.0.0.1';
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
