/**
 * Readiness probes for `NodeDaemons.waitReady`: a TCP port that accepts connections, an HTTP
 * endpoint that answers with a good status. Each returns undefined when ready, else what is
 * missing, as a probe must.
 *
 * @example
 * await this.daemons.waitReady(ctx, { what: 'redis', logFile, timeoutMs: 20_000, pollMs: 100, probe: tcpProbe(ctx.node.address, 6379) });
 */
import net from 'node:net';

/** Ready once `host:port` accepts a TCP connection. */
export function tcpProbe(host: string, port: number): (timeoutMs: number) => Promise<string | undefined> {
  return (timeoutMs) =>
    new Promise((resolve) => {
      const socket = net.connect({ host, port });
      const done = (missing: string | undefined): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve(missing);
      };
      const timer = setTimeout(() => done(`no connection to ${host}:${port} within ${timeoutMs} ms`), timeoutMs);
      socket.once('connect', () => done(undefined));
      socket.once('error', (e: NodeJS.ErrnoException) => done(`${host}:${port}: ${e.code ?? e.message}`));
    });
}

/** Ready once a GET of `url` answers with a status for which `ok` holds (default 2xx). */
export function httpProbe(url: string, ok: (status: number, body: string) => boolean = (s) => s >= 200 && s < 300): (timeoutMs: number) => Promise<string | undefined> {
  return async (timeoutMs) => {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      const body = await r.text();
      return ok(r.status, body) ? undefined : `GET ${url} answered ${r.status}: ${body.slice(0, 200)}`;
    } catch (e) {
      return `GET ${url}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`;
    }
  };
}
