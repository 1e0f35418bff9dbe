// StoreClient's ok / fail / info classification against small real HTTP servers on loopback that
// misbehave on purpose: nothing listening, never answering, resetting, and redirecting.
import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreClient } from './client.ts';
import { freePort } from './local-cluster.ts';

const servers: http.Server[] = [];
const clients: StoreClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(
    servers.splice(0).map(s => {
      s.closeAllConnections();
      return new Promise(resolve => s.close(resolve));
    }),
  );
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

function client(address: string, opts: ConstructorParameters<typeof StoreClient>[1] = {}): StoreClient {
  const c = new StoreClient(address, opts);
  clients.push(c);
  return c;
}

function json(status: number, body: unknown): http.RequestListener {
  return (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
}

describe('StoreClient', () => {
  it('fails definitely when no connection can be made', async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    expect(await client(addr).write('k', 1)).toMatchObject({ type: 'fail', error: 'connect-failed', node: addr });
  });

  it('times out as info for writes and as fail for reads', async () => {
    const addr = await serve(() => {});
    const c = client(addr, { timeoutMs: 200 });
    expect(await c.write('k', 1)).toMatchObject({ type: 'info', error: 'timeout' });
    expect(await c.cas('k', 1, 2)).toMatchObject({ type: 'info', error: 'timeout' });
    expect(await c.read('k')).toMatchObject({ type: 'fail', error: 'timeout' });
    expect(await c.txn([['r', 'k', null]])).toMatchObject({ type: 'fail', error: 'timeout' });
    expect(await c.txn([['append', 'k', 1]])).toMatchObject({ type: 'info', error: 'timeout' });
  });

  it('treats a reset after sending as info', async () => {
    const addr = await serve(req => req.socket.destroy());
    const c = client(addr);
    expect(await c.write('k', 1)).toMatchObject({ type: 'info', error: 'ECONNRESET' });
    expect(await c.read('k')).toMatchObject({ type: 'fail' });
  });

  it('follows the error reply: definite is fail, indefinite is info', async () => {
    const definite = await serve(json(409, { ok: false, error: { code: 'cas-mismatch', message: 'm', definite: true, value: 7 } }));
    expect(await client(definite).cas('k', 1, 2)).toEqual({
      type: 'fail',
      error: 'cas-mismatch',
      message: 'm',
      current: 7,
      node: definite,
    });
    const unknown = await serve(json(504, { ok: false, error: { code: 'timeout', message: 'slow', definite: false } }));
    expect(await client(unknown).write('k', 1)).toMatchObject({ type: 'info', error: 'timeout' });
    expect(await client(unknown).read('k')).toMatchObject({ type: 'fail', error: 'timeout' });
  });

  it('sends the op body without its f, and returns the value read', async () => {
    let seen: { url?: string; body?: string } = {};
    const addr = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen = { url: req.url!, body };
        json(200, { ok: true, value: [1, 2] })(req, res);
      });
    });
    expect(await client(addr).read('k')).toEqual({ type: 'ok', value: [1, 2], node: addr });
    expect(seen).toEqual({ url: '/read', body: '{"key":"k"}' });
  });

  it('retries at the hinted leader, unless told not to', async () => {
    const leader = await serve(json(200, { ok: true }));
    const follower = await serve(
      json(421, { ok: false, error: { code: 'not-leader', message: 'no', definite: true, leader: { id: 'n2', address: leader } } }),
    );
    expect(await client(follower).write('k', 1)).toEqual({ type: 'ok', node: leader });
    expect(await client(follower, { followLeader: false }).write('k', 1)).toMatchObject({
      type: 'fail',
      error: 'not-leader',
      node: follower,
    });
  });

  it('calls a reply without ok / error a bad response (info for writes)', async () => {
    const addr = await serve((_req, res) => res.end('<html>'));
    expect(await client(addr).write('k', 1)).toMatchObject({ type: 'info', error: 'bad-response' });
  });

  it('stops at once when the caller aborts', async () => {
    const addr = await serve(() => {});
    const ctl = new AbortController();
    const pending = client(addr, { timeoutMs: 10_000 }).write('k', 1, ctl.signal);
    setTimeout(() => ctl.abort(), 50);
    expect(await pending).toMatchObject({ type: 'info', error: 'aborted' });
  });
});
